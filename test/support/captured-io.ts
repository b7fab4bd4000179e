import type { CliIo } from '../../src/cli/cli-io.ts';

/** A CliIo that records what a command prints, for running CLI commands in-process. */
export function capturedIo(env: NodeJS.ProcessEnv, stdin = ''): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    readStdin: async () => stdin,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
    isTty: true,
    env,
  };
}
