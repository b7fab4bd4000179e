import type { Octokit } from '@octokit/rest';

/** An item of `GET /app/hook/deliveries`. */
export interface HookDelivery {
  id: number;
  guid: string;
  delivered_at: string;
  redelivery: boolean;
  status: string;
  status_code: number;
  event: string;
  action: string | null;
}

/** The App's delivery attempts since `sinceMs`, newest first (GitHub pages them by cursor, newest first). */
export async function listHookDeliveries(github: Octokit, sinceMs: number): Promise<HookDelivery[]> {
  const out: HookDelivery[] = [];
  for await (const page of github.paginate.iterator('GET /app/hook/deliveries', { per_page: 100 })) {
    let older = false;
    for (const item of page.data as HookDelivery[]) {
      if (Date.parse(item.delivered_at) < sinceMs) {
        older = true;
        break;
      }
      out.push(item);
    }
    if (older) break;
  }
  return out;
}

/** GitHub counts 2xx as delivered; anything else (including no connection, status 0) lost the event. */
export function isFailedDelivery(item: Pick<HookDelivery, 'status_code'>): boolean {
  return item.status_code < 200 || item.status_code >= 300;
}

/** Attempts grouped by `guid` (a redelivery keeps it), each group newest first, groups by first delivery. */
export function attemptsByGuid(items: HookDelivery[]): Map<string, HookDelivery[]> {
  const byGuid = new Map<string, HookDelivery[]>();
  const ordered = [...items].sort((a, b) => Date.parse(a.delivered_at) - Date.parse(b.delivered_at) || a.id - b.id);
  for (const item of ordered) {
    const list = byGuid.get(item.guid) ?? [];
    list.unshift(item);
    byGuid.set(item.guid, list);
  }
  return byGuid;
}
