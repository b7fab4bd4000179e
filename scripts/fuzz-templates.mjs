// npm run fuzz:templates: the template fuzz test with 100 000 cases (TEMPLATE_FUZZ_CASES, TEMPLATE_FUZZ_SEED apply).
import { spawnSync } from 'node:child_process';

const env = { ...process.env, TEMPLATE_FUZZ_CASES: process.env.TEMPLATE_FUZZ_CASES ?? '100000' };
const r = spawnSync('npx', ['vitest', 'run', '--project', 'unit', 'test/template/template-fuzz.test.ts'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
