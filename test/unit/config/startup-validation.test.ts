import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/env.ts';
import { runCli } from '../../support/run-cli.ts';

describe('configuration checked once, at start-up', () => {
  it('refuses a bad duration or limit, naming the variable', () => {
    expect(() => loadConfig({ JOB_POLL_INTERVAL: '90' })).toThrow(/JOB_POLL_INTERVAL: not a duration: "90"/);
    expect(() => loadConfig({ JOB_TIMEOUT: '1 fortnight' })).toThrow(/JOB_TIMEOUT: not a duration/);
    expect(() => loadConfig({ JOB_WEBHOOK_QUIET_PERIOD: '10ms' })).toThrow(/JOB_WEBHOOK_QUIET_PERIOD: must be at least 1s/);
    expect(() => loadConfig({ GITHUB_REDELIVER_INTERVAL: '5s' })).toThrow(/GITHUB_REDELIVER_INTERVAL: must be at least 10s/);
    expect(() => loadConfig({ WEBHOOK_BODY_LIMIT: '1MB' })).toThrow(/WEBHOOK_BODY_LIMIT/);
    expect(() => loadConfig({ WEBHOOK_BODY_LIMIT: String(26 * 1024 * 1024) })).toThrow(/WEBHOOK_BODY_LIMIT: GitHub never sends more than 25 MB/);
  });

  it('reads every duration of the grammar, compact or spelled out, as milliseconds', () => {
    const { env } = loadConfig({
      JOB_POLL_INTERVAL: '1h30m',
      JOB_TIMEOUT: '24 hours',
      JOB_RUN_DISCOVERY_TIMEOUT: '10 minutes',
      GITHUB_REDELIVER_INTERVAL: 'off',
    });
    expect([env.JOB_POLL_INTERVAL, env.JOB_TIMEOUT, env.JOB_RUN_DISCOVERY_TIMEOUT, env.GITHUB_REDELIVER_INTERVAL]).toEqual([
      5_400_000,
      86_400_000,
      600_000,
      undefined,
    ]);
  });

  it('stops gha-agent api and worker before they do anything when a job deadline is malformed', async () => {
    for (const command of ['api', 'worker']) {
      const result = await runCli([command], { JOB_POLL_INTERVAL: '1 h 30', TEMPORAL_ADDRESS: '127.0.0.1:1' });
      expect(result.code, command).not.toBe(0);
      expect(result.stderr + result.stdout, command).toMatch(/JOB_POLL_INTERVAL: not a duration/);
    }
  }, 60_000);
});
