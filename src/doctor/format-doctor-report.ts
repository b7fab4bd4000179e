import type { CheckStatus } from './check-result.ts';
import type { DoctorReport } from './run-doctor.ts';

const MARK: Record<CheckStatus, string> = { ok: 'ok     ', warn: 'warn   ', problem: 'PROBLEM', skipped: 'skipped' };

/** One line per check (`status  title: detail`), the fix indented under it, and a summary line. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = [`gha-agent doctor (GitHub API ${report.githubApiUrl})`, ''];
  for (const r of report.results) {
    lines.push(`${MARK[r.status]}  ${r.title}: ${r.detail}`);
    if (r.fix && (r.status === 'problem' || r.status === 'warn')) lines.push(`         fix: ${r.fix}`);
  }
  const count = (status: CheckStatus) => report.results.filter((r) => r.status === status).length;
  lines.push('', `${count('ok')} ok, ${count('warn')} warning(s), ${count('problem')} problem(s), ${count('skipped')} skipped`);
  return `${lines.join('\n')}\n`;
}
