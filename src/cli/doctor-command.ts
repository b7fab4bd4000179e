import { parseArgs } from 'node:util';
import { deploymentTargetFromFlags, type DeploymentTarget } from '../doctor/deployment-targets.ts';
import { formatDoctorReport } from '../doctor/format-doctor-report.ts';
import { runDoctor } from '../doctor/run-doctor.ts';
import { temporalConnectConfig } from '../temporal/connection-options.ts';

export const DOCTOR_USAGE = `usage: gha-agent doctor [--repo owner/repo --workflow <id|file> [--ref <branch|tag>] [--installation <id>]]
                       [--skip-temporal] [--json]

Runs every check of the GitHub integration guide's troubleshooting section against the environment
(GITHUB_BOT_*, GITHUB_WEBHOOK_SECRET, GITHUB_URL/GITHUB_API_URL, TEMPORAL_*, CONFIG_FILE) and prints
one line per check with how to fix a problem. Exit code 1 when any check found a problem.
`;

/** Runs the doctor and returns the exit code; output goes to `write` (tests capture it). */
export async function runDoctorCli(args: string[], env: NodeJS.ProcessEnv, write: (text: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      repo: { type: 'string' },
      workflow: { type: 'string' },
      ref: { type: 'string' },
      installation: { type: 'string' },
      'skip-temporal': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    write(DOCTOR_USAGE);
    return 0;
  }
  const targets: DeploymentTarget[] = [];
  if (values.repo || values.workflow) {
    if (!values.repo || !values.workflow) throw new Error('--repo and --workflow go together');
    targets.push(deploymentTargetFromFlags({ repo: values.repo, workflow: values.workflow, ref: values.ref, installation: values.installation }));
  }
  const report = await runDoctor({ env, targets, ...(values['skip-temporal'] ? {} : { temporal: temporalConnectConfig(env) }) });
  write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  return report.failed ? 1 : 0;
}

/** `gha-agent doctor` */
export async function doctorCommand(args: string[]): Promise<void> {
  process.exitCode = await runDoctorCli(args, process.env, (text) => process.stdout.write(text));
}
