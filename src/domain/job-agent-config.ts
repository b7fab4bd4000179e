// Validated by hand rather than with zod: the workflow validates every job's config, and a workflow the worker's
// cache does not hold evaluates the bundle's modules again when it next has work (docs/performance.md, "10,000 waiting
// jobs"). The messages below are the ones a job that fails validation shows; test/unit/job-agent-config.test.ts pins
// each of them.

/** The ref dispatched when a config names none. */
export const DEFAULT_REF = 'main';

/** The settings of a validated config besides its owner. */
interface TargetSettings {
  installationId: number;
  repo: string;
  workflowId: number | string;
  ref: string;
  /** Opt-in: the workflow_dispatch input that receives a per-job API token (the workflow must declare it). */
  jobTokenInput?: string;
  [unread: string]: unknown;
}

/**
 * The rendered job agent config (docs/jobs-api.md, "Create a job"), as a job dispatches it. `workflowId` is the numeric workflow ID or the
 * workflow's file name (`deploy.yml`), which GitHub's dispatch endpoint accepts in the same place. Keys this agent
 * does not read are kept.
 */
export interface JobAgentConfig extends TargetSettings {
  owner: string;
  /** Set when the config named its owner by Ctrlplane's numeric GitHub organization ID: `owner` is that organization's login. */
  organizationId?: number;
}

/**
 * A valid config that names its owner only by a numeric GitHub organization ID (`organizationId`, as Ctrlplane's own
 * GitHub agent reads it): the job looks the organization's login up before it dispatches (`withResolvedOwner`).
 */
export interface UnresolvedOwnerConfig extends TargetSettings {
  owner?: undefined;
  organizationId: number;
}

export type ValidatedJobAgentConfig = JobAgentConfig | UnresolvedOwnerConfig;

/** The organization ID whose login a validated config still needs as its owner; undefined when it names its owner. */
export function organizationToResolve(config: ValidatedJobAgentConfig): number | undefined {
  return config.owner === undefined ? config.organizationId : undefined;
}

/** The config a job dispatches with, once GitHub has named the login of its organization ID. */
export function withResolvedOwner(config: ValidatedJobAgentConfig, login: string): JobAgentConfig {
  return { ...config, owner: login };
}

/** The settings this agent reads from a job agent config, in the order problems are reported; any other key is ignored. */
const SETTINGS = ['installationId', 'owner', 'organizationId', 'repo', 'workflowId', 'ref', 'jobTokenInput'] as const;
/** The same settings for code outside this module; a configured Deployment locks them all unless it lists them `overridable`. */
export const JOB_AGENT_SETTINGS: readonly string[] = SETTINGS;
type Setting = (typeof SETTINGS)[number];
const isSetting = (key: string): key is Setting => (SETTINGS as readonly string[]).includes(key);

/** What a rule makes of one set setting: the value a job uses, or the problem to report. */
type Checked<T> = { value: T } | { problem: string };

const OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
const WORKFLOW_FILE = /^[\w.-]+\.ya?ml$/;
const DISPATCH_INPUT = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

/** A positive safe integer, given as a JSON number or as the digits a template rendered. */
function positiveInteger(value: unknown): number | undefined {
  const digits = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined;
  const number = typeof value === 'number' ? value : digits;
  return number !== undefined && Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

/** `organizationId` as a numeric GitHub organization ID (Ctrlplane's reading), or undefined when it is not one. */
export function numericOrganizationId(value: unknown): number | undefined {
  return positiveInteger(value);
}

/** Text that matches `pattern` once trimmed. */
function matching(value: unknown, pattern: RegExp): string | undefined {
  const trimmed = typeof value === 'string' ? value.trim() : undefined;
  return trimmed !== undefined && pattern.test(trimmed) ? trimmed : undefined;
}

const isBlank = (value: unknown): boolean => typeof value === 'string' && value.trim() === '';

/** A GitHub user or organisation name: letters, digits and hyphens, at most 39, not starting with a hyphen. */
function githubOwner(setting: 'owner' | 'organizationId', value: unknown): Checked<string> {
  if (isBlank(value)) return { problem: `${setting} is required` };
  const owner = matching(value, OWNER);
  return owner !== undefined ? { value: owner } : { problem: `${setting} must be a GitHub user or organisation name (letters, digits and -, at most 39)` };
}

/**
 * `organizationId` as Ctrlplane's GitHub agent reads it: a numeric GitHub organization ID, given as a JSON number or
 * as the digits a template rendered. Text that is not all digits is an organisation's login, as this agent read
 * organizationId before it read it as Ctrlplane does (docs/ctrlplane-config.md): such configs keep working.
 */
function organizationId(value: unknown): Checked<number | string> {
  const problem = 'organizationId must be a numeric GitHub organization ID or an organisation name (letters, digits and -, at most 39)';
  if (isBlank(value)) return { problem: 'organizationId is required' };
  const id = positiveInteger(value);
  if (id !== undefined) return { value: id };
  if (typeof value !== 'string' || /^\d+$/.test(value.trim())) return { problem };
  const login = matching(value, OWNER);
  return login !== undefined ? { value: login } : { problem };
}

function installationId(value: unknown): Checked<number> {
  const id = positiveInteger(value);
  return id !== undefined ? { value: id } : { problem: 'installationId must be a positive integer' };
}

function repo(value: unknown): Checked<string> {
  const name = matching(value, REPOSITORY);
  if (name === undefined) return { problem: 'repo must be a GitHub repository name (letters, digits, ., _ and -, at most 100)' };
  return name === '.' || name === '..' ? { problem: 'repo must be a GitHub repository name' } : { value: name };
}

function workflowId(value: unknown): Checked<number | string> {
  const workflow = positiveInteger(value) ?? matching(value, WORKFLOW_FILE);
  return workflow !== undefined ? { value: workflow } : { problem: 'workflowId must be a numeric workflow ID or a workflow file name such as deploy.yml' };
}

/** As Ctrlplane's GitHub agent: text names the ref; anything else (null, a number, an object) is no ref, so DEFAULT_REF. */
function ref(value: unknown): Checked<string> {
  return { value: typeof value === 'string' ? value.trim() : DEFAULT_REF };
}

function jobTokenInput(value: unknown): Checked<string> {
  const input = matching(value, DISPATCH_INPUT);
  if (input === undefined) return { problem: 'jobTokenInput must be a workflow_dispatch input name such as job_token' };
  return input === 'job_id' ? { problem: 'jobTokenInput cannot be job_id' } : { value: input };
}

/** The GitHub owner of a (raw or rendered) config: `owner`, or Ctrlplane's older name for it, `organizationId`. */
export function configOwner(config: { owner?: unknown; organizationId?: unknown }): unknown {
  return config.owner ?? config.organizationId;
}

export type ConfigValidation = { ok: true; config: ValidatedJobAgentConfig } | { ok: false; message: string };

export interface ValidationOptions {
  /** Refuse a setting that rendered Go's `<no value>` (see validateJobAgentConfig). */
  refuseNoValue?: boolean;
}

/** What Go's text/template prints for a missing key (missingkey=zero): a field the job's context does not have. */
const NO_VALUE = '<no value>';

/** The settings a config must give to name a target of its own; the owner as `owner` or `organizationId`. */
const TARGET_SETTINGS = ['installationId', 'owner', 'repo', 'workflowId'] as const;

/** Which target settings a raw (maybe templated) config lacks, in that order; empty text counts as missing. */
export function missingTargetSettings(config: Record<string, unknown>): string[] {
  return TARGET_SETTINGS.filter((setting) =>
    setting === 'owner' ? configOwner(config) === undefined : config[setting] === undefined || config[setting] === '',
  );
}

/** Edit distance, for "did you mean" on a mistyped setting. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** Keys of a (raw) config that no job reads: a preview says so, naming the setting probably meant. */
export function jobAgentConfigWarnings(config: unknown, root = 'jobAgentConfig'): string[] {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return [];
  return Object.keys(config)
    .filter((key) => !isSetting(key))
    .map((key) => {
      const near = SETTINGS.filter((setting) => distance(key, setting) <= 2).sort((a, b) => distance(key, a) - distance(key, b))[0];
      return `${root}.${key} is not a setting of this agent${near ? ` (did you mean ${near}?)` : ''}; a job ignores it`;
    });
}

/** The settings of a rendered config whose text holds Go's `<no value>`, in schema order. */
export function settingsRenderedNoValue(rendered: unknown): Setting[] {
  if (rendered === null || typeof rendered !== 'object') return [];
  const config = rendered as Record<string, unknown>;
  return SETTINGS.filter((setting) => typeof config[setting] === 'string' && (config[setting] as string).includes(NO_VALUE));
}

/** A config that is not a JSON object names no setting at all. */
const NOT_AN_OBJECT = 'must be an object of settings (installationId, owner, repo, workflowId, …)';

/**
 * Validates a rendered config; on failure the message names every bad setting at once, in the order of SETTINGS.
 * A required setting that is absent, null or blank is "required"; an absent or blank `ref`, or one that is not text,
 * is DEFAULT_REF. The owner is `owner`, or else `organizationId`: a numeric one is left for the job to look up
 * (`organizationToResolve`), a name is the owner's login. With `refuseNoValue`, a setting that rendered `<no value>`
 * is refused with what that means, instead of reaching GitHub.
 */
export function validateJobAgentConfig(rendered: unknown, options: ValidationOptions = {}): ConfigValidation {
  if (rendered === null || typeof rendered !== 'object' || Array.isArray(rendered)) return { ok: false, message: NOT_AN_OBJECT };
  const config = rendered as Record<string, unknown>;
  const empty = options.refuseNoValue ? settingsRenderedNoValue(config) : [];
  const problems = empty.map((setting) => `${setting} rendered as "${NO_VALUE}": its template names something the job's context does not have`);
  const valid: Record<string, unknown> = {};
  const check = <T>(setting: Setting, rule: (value: unknown) => Checked<T>, unset: 'required' | 'optional' | (() => T)): void => {
    const value = config[setting];
    const isUnset = value === undefined || (unset === 'required' && value === null) || (unset !== 'optional' && isBlank(value));
    const checked: Checked<T> | undefined = !isUnset
      ? rule(value)
      : unset === 'required'
        ? { problem: `${setting} is required` }
        : unset === 'optional'
          ? undefined
          : { value: unset() };
    if (checked === undefined || empty.includes(setting)) return;
    if ('problem' in checked) problems.push(checked.problem);
    else valid[setting] = checked.value;
  };
  check('installationId', installationId, 'required');
  check('owner', (value) => githubOwner('owner', value), 'optional');
  check('organizationId', organizationId, 'optional');
  check('repo', repo, 'required');
  check('workflowId', workflowId, 'required');
  check('ref', ref, () => DEFAULT_REF);
  check('jobTokenInput', jobTokenInput, 'optional');
  // The owner may come as either setting; a bad one (null included) was reported above.
  if (config.owner === undefined && config.organizationId === undefined) problems.push('owner is required');
  if (problems.length > 0) return { ok: false, message: problems.join('; ') };
  const { owner, organizationId: ownerOrId, ...settings } = valid;
  const unread = Object.fromEntries(Object.entries(config).filter(([key]) => !isSetting(key)));
  // `owner` wins when both are given, as in Ctrlplane; a numeric organizationId alone is looked up by the job.
  const named = owner ?? ownerOrId;
  return {
    ok: true,
    config: { ...settings, ...unread, ...(typeof named === 'number' ? { organizationId: named } : { owner: named }) } as ValidatedJobAgentConfig,
  };
}
