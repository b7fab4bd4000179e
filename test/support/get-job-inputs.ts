/**
 * What ctrlplanedev/get-job-inputs does, both generations, so tests can run it against this API: the same
 * requests (paths, header spelling) and the same flattening of the JSON into step outputs.
 *
 * URL building follows the action's Ctrlplane client: it prepends `/api` to the path of every request, so
 * `base_url` is the site root (`https://agent.example`), and a base that already ends in `/api` gives
 * `/api/api/v1/...` (which the API maps back; see src/api/normalize-api-path.ts).
 */

export type StepOutputs = Record<string, string>;

export interface GetJobInputsOptions {
  baseUrl: string;
  apiKey: string;
  jobId: string;
}

function url(baseUrl: string, path: string): string {
  const target = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  target.pathname = `/api${target.pathname}`;
  return target.toString();
}

/**
 * The action's flattening: nested keys joined with `_` (`.`, `-`, `/` and white space in a key become `_`),
 * objects (arrays too) also emitted whole as JSON, null and undefined never emitted.
 */
export function flattenToOutputs(value: unknown, prefix: string | null = null, outputs: StepOutputs = {}): StepOutputs {
  const set = (key: string, item: unknown) => {
    if (item === undefined || item === null) return;
    outputs[key] = typeof item === 'string' ? item : JSON.stringify(item);
  };
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const name = prefix !== null ? `${prefix}_${key.replace(/[.\-/\s]+/g, '_')}` : key.replace(/[.\-/\s]+/g, '_');
      if (typeof item === 'object' && item !== null) flattenToOutputs(item, name, outputs);
      set(name, item);
    }
    return outputs;
  }
  if (prefix !== null) set(prefix, value);
  return outputs;
}

async function getJson(target: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const response = await fetch(target, { headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** First generation: `GET {base}/api/v1/jobs/{jobId}` with `x-api-key`; the context sits at the top level. */
export async function getJobInputsFirstGeneration({ baseUrl, apiKey, jobId }: GetJobInputsOptions): Promise<StepOutputs> {
  const { status, body } = await getJson(url(baseUrl, `/v1/jobs/${jobId}`), { 'x-api-key': apiKey });
  if (status !== 200) throw new Error(`Job not found: ${jobId} (${status} ${JSON.stringify(body)})`);
  const { variables, resource, version, environment, deployment, release, ...rest } = body as Record<string, unknown>;
  return flattenToOutputs({ ...rest, variables, resource, version, environment, deployment, release, base: { url: baseUrl } });
}

/**
 * Current generation: list the workspaces, ask each for the job until one answers, with `X-API-Key`; the
 * context sits under `dispatchContext` and is re-keyed as the action does (`variable`, `input`, `workspace`).
 */
export async function getJobInputsCurrentGeneration({ baseUrl, apiKey, jobId }: GetJobInputsOptions): Promise<StepOutputs> {
  const headers = { 'X-API-Key': apiKey };
  const list = await getJson(url(baseUrl, '/v1/workspaces'), headers);
  const workspaces = ((list.body as { workspaces?: Array<{ id: string }> } | undefined)?.workspaces ?? []).map(({ id }) => id);
  for (const workspaceId of workspaces) {
    const { status, body } = await getJson(url(baseUrl, `/v1/workspaces/${workspaceId}/jobs/${jobId}`), headers);
    if (status !== 200 || body === undefined || body === null) continue;
    const { dispatchContext, ...rest } = body as { dispatchContext?: Record<string, unknown> } & Record<string, unknown>;
    return flattenToOutputs({
      ...rest,
      base: { url: baseUrl },
      variable: dispatchContext?.variables,
      resource: dispatchContext?.resource,
      version: dispatchContext?.version,
      workspace: { id: workspaceId },
      environment: dispatchContext?.environment,
      deployment: dispatchContext?.deployment,
      input: dispatchContext?.inputs,
    });
  }
  throw new Error(`Job not found: ${jobId} (workspaces: ${JSON.stringify(list.body)})`);
}
