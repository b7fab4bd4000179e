import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers a broken Ctrlplane, or something in front of it, gives instead of Ctrlplane's own, played before the
 * request reaches the emulated API (nothing is done there):
 * - `status`: this status and body, e.g. a proxy's HTML 403 or a 401 after the key was revoked;
 * - `huge-job-pages`: a job listing page of `jobs` fresh queued jobs padded to about `bytes`, claiming a total of
 *   a billion and ignoring `offset`, sent without a `content-length` (as a streaming proxy would);
 * - `slow-body`: 200 and a JSON content type at once, then `totalBytes` of whitespace dribbled `chunkBytes` every
 *   `intervalMs` (a request stays in flight for as long as the test needs), then a job listing page of `jobs` fresh
 *   queued jobs (default none) claiming a total of a billion, so a client that follows `offset` asks for more.
 * Matched by method and path as sent (with `/api`, without the query); `times` defaults to every matching request.
 */
export type CtrlplaneHostileAnswer = {
  method?: string;
  path?: string | RegExp;
  times?: number;
} & (
  | { kind: 'status'; status: number; body: string; contentType?: string }
  | { kind: 'huge-job-pages'; bytes: number; jobs: number }
  | { kind: 'slow-body'; totalBytes: number; chunkBytes: number; intervalMs: number; jobs?: number }
);

/** What an injected answer did so far, for tests that assert on ordering (e.g. a worker gone before a body ended). */
export interface HostileAnswerRecord {
  /** Requests it answered (started to answer). */
  served: number;
  /** Bodies it finished sending to the end. */
  finished: number;
  /** Bodies the client hung up on before the end. */
  abandoned: number;
  /** Bytes written, over all requests. */
  bytesSent: number;
}

interface Entry {
  answer: CtrlplaneHostileAnswer;
  left: number;
  record: HostileAnswerRecord;
}

/** The injected hostile answers of one Ctrlplane sandbox, first injected first. */
export class HostileAnswers {
  private readonly entries: Entry[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  add(answer: CtrlplaneHostileAnswer): HostileAnswerRecord {
    const record: HostileAnswerRecord = { served: 0, finished: 0, abandoned: 0, bytesSent: 0 };
    this.entries.push({ answer, left: answer.times ?? Number.POSITIVE_INFINITY, record });
    return record;
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Stops bodies still being dribbled (sandbox close). */
  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }

  /** Plays the first matching answer and returns true, or returns false for the emulated API to handle the request. */
  play(req: IncomingMessage, res: ServerResponse, method: string, path: string): boolean {
    const index = this.entries.findIndex(
      ({ answer }) =>
        (answer.method === undefined || answer.method.toUpperCase() === method) &&
        (answer.path === undefined || (typeof answer.path === 'string' ? answer.path === path : answer.path.test(path))),
    );
    if (index < 0) return false;
    const entry = this.entries[index] as Entry;
    entry.left -= 1;
    if (entry.left <= 0) this.entries.splice(index, 1);
    entry.record.served++;
    req.resume();
    const { answer, record } = entry;
    switch (answer.kind) {
      case 'status': {
        res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json; charset=utf-8' });
        res.end(answer.body, () => record.finished++);
        record.bytesSent += Buffer.byteLength(answer.body);
        return true;
      }
      case 'huge-job-pages': {
        void this.sendHugePage(res, answer, record);
        return true;
      }
      case 'slow-body': {
        this.sendSlowBody(res, answer, record);
        return true;
      }
    }
  }

  private async sendHugePage(res: ServerResponse, answer: { bytes: number; jobs: number }, record: HostileAnswerRecord): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    // Each job is padded (in its jobAgentConfig, under the 64 KiB cap) so the page comes to about `bytes`.
    const padding = 'x'.repeat(Math.max(0, Math.floor(answer.bytes / answer.jobs) - 400));
    let aborted = false;
    res.once('close', () => {
      if (!res.writableFinished) aborted = true;
    });
    const write = (text: string) =>
      new Promise<void>((resolve) => {
        record.bytesSent += Buffer.byteLength(text);
        if (res.write(text)) resolve();
        else {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        }
      });
    await write('{"items":[');
    for (let i = 0; i < answer.jobs && !aborted; i++) await write(`${i === 0 ? '' : ','}${JSON.stringify(freshQueuedJob(padding))}`);
    if (aborted) {
      record.abandoned++;
      return;
    }
    res.end(`],"total":1000000000,"limit":${answer.jobs},"offset":0}`, () => record.finished++);
  }

  private sendSlowBody(
    res: ServerResponse,
    answer: { totalBytes: number; chunkBytes: number; intervalMs: number; jobs?: number },
    record: HostileAnswerRecord,
  ): void {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      if (res.destroyed || res.writableEnded) {
        clearInterval(timer);
        this.timers.delete(timer);
        return;
      }
      const size = Math.min(answer.chunkBytes, answer.totalBytes - sent);
      res.write(' '.repeat(size));
      sent += size;
      record.bytesSent += size;
      if (sent >= answer.totalBytes) {
        clearInterval(timer);
        this.timers.delete(timer);
        const items = Array.from({ length: answer.jobs ?? 0 }, () => freshQueuedJob(''));
        res.end(JSON.stringify({ items, total: items.length ? 1_000_000_000 : 0 }), () => record.finished++);
      }
    }, answer.intervalMs);
    this.timers.add(timer);
    res.once('close', () => {
      if (!res.writableFinished) {
        record.abandoned++;
        clearInterval(timer);
        this.timers.delete(timer);
      }
    });
  }
}

/** A queued job of no real deployment (its claim answers 404), its jobAgentConfig carrying `padding`. */
function freshQueuedJob(padding: string): Record<string, unknown> {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    releaseId: randomUUID(),
    jobAgentId: randomUUID(),
    jobAgentConfig: { installationId: 4242, owner: 'acme', repo: 'deploy-demo', workflowId: 101, ...(padding ? { padding } : {}) },
    status: 'queued',
    createdAt: now,
    updatedAt: now,
    metadata: {},
  };
}
