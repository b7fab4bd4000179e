import type { LedgerReport } from './job-ledger.ts';

/** A drill's one-line result from its ledger, or an error naming every problem found. */
export function ledgerOutcome(report: LedgerReport, extra = ''): string {
  if (report.problems.length > 0) {
    const shown = report.problems.slice(0, 15).join('\n  ');
    throw new Error(`${report.problems.length} problem(s):\n  ${shown}${report.problems.length > 15 ? '\n  ...' : ''}`);
  }
  const failed = report.failedAttempts
    ? `, ${report.failedAttempts} delivery attempt(s) answered non-2xx and sent again (${report.redeliveries} redeliveries)`
    : '';
  return `${report.jobs} jobs ended right, each dispatched once; ${report.deliveries} deliveries applied${failed}${extra ? `; ${extra}` : ''}`;
}
