import { describe, expect, it } from 'vitest';
import { runDoctorCli } from '../../../src/cli/doctor-command.ts';
import { startDoctorSandbox, doctorEnv, deploymentArgs } from './doctor-fixture.ts';

describe('gha-agent doctor text output', () => {
  it('prints one line per check, the fix under each problem, and a summary', async () => {
    const sandbox = await startDoctorSandbox({ events: ['push'] });
    try {
      let out = '';
      const code = await runDoctorCli(['--skip-temporal', ...deploymentArgs('no-run-name.yml')], doctorEnv(sandbox), (text) => (out += text));
      expect(code).toBe(1);
      const lines = out.split('\n');
      expect(lines[0]).toBe(`gha-agent doctor (GitHub API ${sandbox.url})`);
      const events = lines.findIndex((line) => line.startsWith('PROBLEM  App events: not subscribed to workflow_run'));
      expect(events).toBeGreaterThan(0);
      expect(lines[events + 1]).toMatch(/^ {9}fix: .*Subscribe to events → tick "Workflow run"/);
      expect(lines).toContain('ok       App JWT: accepted: App "Sandbox App 1" (id 1)');
      expect(out).toMatch(/warn {5}acme\/deploy: run-name: .*has no run-name/);
      expect(out).toContain('skipped  Temporal: not checked (--skip-temporal)');
      expect(lines.at(-2)).toMatch(/^\d+ ok, 1 warning\(s\), 1 problem\(s\), 2 skipped$/);
    } finally {
      await sandbox.close();
    }
  });
});
