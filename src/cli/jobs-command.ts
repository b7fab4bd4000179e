import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Job } from '../domain/job.ts';
import { isTerminalStatus } from '../domain/job-status.ts';
import { type ApiRequest, apiTargetFrom, createApiClient } from './api-client.ts';
import { type CliIo, processIo } from './cli-io.ts';

const USAGE = `usage: gha-agent jobs <create|get|list|cancel|watch> [options]

  create   [--file body.json|-] [--deployment NAME] [--environment NAME] [--resource IDENTIFIER]
           [--version TAG] [--var KEY=VALUE]... [--config KEY=VALUE]... [--id UUID] [--watch]
           --deployment alone names a Deployment from the API's CONFIG_FILE; --config entries form
           (or override) the jobAgentConfig: with installationId, owner, repo and workflowId no CONFIG_FILE
           is needed. VALUEs that parse as JSON are taken as JSON. examples/job.json is a whole body.
  get      <job-id>
  list     [--status S[,S]] [--deployment NAME] [--environment NAME] [--resource ID] [--limit N]
           [--cursor C] [--all] [--json]
  cancel   <job-id>
  watch    <job-id> [--interval MS]     follow a job until it ends (exit 1 unless successful)

  every command: --api-url URL (env GHA_AGENT_API_URL, default http://127.0.0.1:8080)
                 --api-key KEY (env GHA_AGENT_API_KEY)
`;

const COMMON = {
  'api-url': { type: 'string' },
  'api-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `KEY=VALUE` → [key, value], the value as JSON when it parses (numbers, booleans, objects), else text. */
function keyValue(entry: string, flag: string): [string, unknown] {
  const at = entry.indexOf('=');
  if (at <= 0) throw new Error(`--${flag} expects KEY=VALUE, got "${entry}"`);
  const raw = entry.slice(at + 1);
  try {
    return [entry.slice(0, at), JSON.parse(raw)];
  } catch {
    return [entry.slice(0, at), raw];
  }
}

async function readBodyFile(path: string, io: CliIo): Promise<Record<string, unknown>> {
  const text = path === '-' ? await io.readStdin() : await readFile(path, 'utf8');
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${path}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

async function create(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      file: { type: 'string', short: 'f' },
      id: { type: 'string' },
      deployment: { type: 'string' },
      environment: { type: 'string' },
      resource: { type: 'string' },
      version: { type: 'string' },
      var: { type: 'string', multiple: true },
      config: { type: 'string', multiple: true },
      watch: { type: 'boolean', short: 'w' },
    },
  });
  const body: Record<string, unknown> = values.file ? await readBodyFile(values.file, io) : {};
  if (values.id) body.id = values.id;
  if (values.deployment) body.deployment = values.deployment;
  if (values.environment) body.environment = { ...(body.environment as object), name: values.environment };
  if (values.resource) body.resource = { ...(body.resource as object), identifier: values.resource };
  if (values.version) body.version = { ...(body.version as object), tag: values.version };
  if (values.var?.length) body.variables = { ...(body.variables as object), ...Object.fromEntries(values.var.map((v) => keyValue(v, 'var'))) };
  if (values.config?.length) {
    body.jobAgentConfig = { ...(body.jobAgentConfig as object), ...Object.fromEntries(values.config.map((v) => keyValue(v, 'config'))) };
  }
  const request = createApiClient(apiTargetFrom(values, io.env));
  const job = await request<Job>('POST', '/api/v1/jobs', body);
  if (values.watch) {
    io.stderr(`created job ${job.id}\n`);
    await watchJob(request, job.id, io, 1000);
    return;
  }
  printJson(io, job);
}

async function getOne(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: COMMON, allowPositionals: true });
  const id = requireId(positionals, 'get');
  printJson(io, await createApiClient(apiTargetFrom(values, io.env))<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`));
}

interface JobRow {
  id: string;
  status: string;
  deployment?: string;
  environment?: string;
  resource?: string;
  createdAt?: string;
  externalId?: string;
}

function table(rows: JobRow[]): string {
  const header = ['ID', 'STATUS', 'DEPLOYMENT', 'ENVIRONMENT', 'RESOURCE', 'CREATED'];
  const cells = rows.map((row) => [row.id, row.status, row.deployment ?? '', row.environment ?? '', row.resource ?? '', row.createdAt ?? '']);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] ?? '').length)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function list(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...COMMON,
      status: { type: 'string' },
      deployment: { type: 'string' },
      environment: { type: 'string' },
      resource: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const request = createApiClient(apiTargetFrom(values, io.env));
  const query = new URLSearchParams();
  for (const key of ['status', 'deployment', 'environment', 'resource', 'limit'] as const) {
    const value = values[key];
    if (value) query.set(key, value);
  }
  const rows: JobRow[] = [];
  let cursor = values.cursor;
  let nextCursor: string | undefined;
  do {
    const page = new URLSearchParams(query);
    if (cursor) page.set('cursor', cursor);
    const answer = await request<{ jobs: JobRow[]; nextCursor?: string }>('GET', `/api/v1/jobs?${page}`);
    rows.push(...answer.jobs);
    nextCursor = answer.nextCursor;
    cursor = nextCursor;
  } while (values.all && cursor);
  if (values.json) {
    printJson(io, { jobs: rows, ...(nextCursor ? { nextCursor } : {}) });
    return;
  }
  io.stdout(`${rows.length ? table(rows) : 'no jobs'}\n`);
  if (nextCursor) io.stdout(`more: --cursor ${nextCursor} (or --all)\n`);
}

async function cancel(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: COMMON, allowPositionals: true });
  const id = requireId(positionals, 'cancel');
  const answer = await createApiClient(apiTargetFrom(values, io.env))<{ message: string }>('POST', `/api/v1/jobs/${encodeURIComponent(id)}/cancel`);
  io.stdout(`${answer.message}\n`);
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Follows a job until it ends: a line per change (status, message, run link), a spinner in between on a TTY. */
export async function watchJob(request: ApiRequest, id: string, io: CliIo, intervalMs: number): Promise<Job> {
  let last = '';
  let frame = 0;
  const started = Date.now();
  const clearSpinner = () => io.isTty && io.stderr('\r\x1b[2K');
  for (;;) {
    const job = await request<Job>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
    const line = `${job.status}${job.message ? ` — ${job.message}` : ''}${job.links.run ? `  ${job.links.run}` : ''}`;
    if (line !== last) {
      clearSpinner();
      io.stdout(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
      last = line;
    }
    if (isTerminalStatus(job.status)) {
      if (job.status !== 'successful') throw new Error(`job ${job.id} ended ${job.status}${job.message ? `: ${job.message}` : ''}`);
      return job;
    }
    if (io.isTty) io.stderr(`\r${SPINNER[frame++ % SPINNER.length]} ${job.status} ${Math.round((Date.now() - started) / 1000)}s`);
    await io.sleep(intervalMs);
  }
}

async function watch(args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { ...COMMON, interval: { type: 'string' } }, allowPositionals: true });
  const id = requireId(positionals, 'watch');
  const interval = values.interval ? Number(values.interval) : 1000;
  if (!Number.isFinite(interval) || interval < 50) throw new Error('--interval must be a number of milliseconds (at least 50)');
  await watchJob(createApiClient(apiTargetFrom(values, io.env)), id, io, interval);
}

function requireId(positionals: string[], command: string): string {
  const [id, ...rest] = positionals;
  if (!id || rest.length) throw new Error(`usage: gha-agent jobs ${command} <job-id>`);
  return id;
}

const SUBCOMMANDS: Record<string, (args: string[], io: CliIo) => Promise<void>> = { create, get: getOne, list, cancel, watch };

/** `gha-agent jobs ...`: the jobs API from a shell. */
export async function jobsCommand(args: string[], io: CliIo = processIo()): Promise<void> {
  const [name, ...rest] = args;
  const subcommand = name ? SUBCOMMANDS[name] : undefined;
  if (!subcommand || rest.includes('--help') || rest.includes('-h')) {
    io.stdout(USAGE);
    if (!subcommand && name && name !== 'help' && name !== '--help') throw new Error(`unknown jobs command "${name}"`);
    return;
  }
  await subcommand(rest, io);
}
