// Test-only workflow: renders template conformance cases inside Temporal's workflow sandbox, with the template engine
// preloaded as the production bundle preloads it (test/e2e/template-functions.test.ts).
import { renderCase, type Case, type Golden } from '../template/render-conformance-case.ts';

export async function renderConformanceCases(cases: Case[]): Promise<Golden[]> {
  return cases.map((c) => renderCase(c));
}
