/** `warn` is worth knowing but does not stop jobs; only `problem` makes `gha-agent doctor` exit non-zero. */
export type CheckStatus = 'ok' | 'warn' | 'problem' | 'skipped';

/** One line of the doctor's report. */
export interface CheckResult {
  /** Stable key, e.g. `app.events`, `deployment.api-service.run-name`; tests and scripts match on it. */
  id: string;
  /** What was checked, short. */
  title: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** How to fix it, for `warn` and `problem`. */
  fix?: string;
}

export const ok = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'ok', detail });

export const problem = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'problem', detail, fix });

export const warn = (id: string, title: string, detail: string, fix: string): CheckResult => ({ id, title, status: 'warn', detail, fix });

export const skipped = (id: string, title: string, detail: string): CheckResult => ({ id, title, status: 'skipped', detail });
