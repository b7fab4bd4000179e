import { describe, expect, it } from 'vitest';
import { runCli } from '../../support/run-cli.ts';

describe('gha-agent <command>', () => {
  it('says which command it does not know, then the usage, and exits 2', async () => {
    const result = await runCli(['deploy'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^gha-agent: unknown command "deploy"\n\nusage: gha-agent <command>/);
  });

  it('prints the usage for help, exiting 0', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^usage: gha-agent <command>/);
  });
});
