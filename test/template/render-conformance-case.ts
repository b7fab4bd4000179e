// One conformance case rendered by our engine, as the Go harness renders it. No Node API: the conformance
// workflow (test/support/conformance-workflow.ts) runs it inside Temporal's workflow sandbox too.
import { GoTime, parseJson, renderTemplate, TemplateError, type RenderBudget } from '../../src/template/index.ts';

export interface Case {
  id: string;
  template: string;
  dataText?: string;
  templateName?: string;
}

export interface Golden {
  id: string;
  output?: string;
  error?: string;
}

/** The instant the Go harness returns from `now`: 2024-03-05T07:08:09.123456789Z. */
export const fixedNow = new GoTime(Date.UTC(2024, 2, 5, 7, 8, 9, 123), 456789);

export function renderCase(c: Case, budget?: Partial<RenderBudget>): Golden {
  const data = c.dataText === undefined ? null : parseJson(c.dataText);
  try {
    const output = renderTemplate(c.template, data, {
      name: c.templateName ?? 'tpl',
      now: () => fixedNow,
      random: () => 0,
      ...(budget ? { budget } : {}),
    });
    return { id: c.id, output };
  } catch (e) {
    if (e instanceof TemplateError) return { id: c.id, error: e.message };
    return { id: c.id, error: `CRASH ${(e as Error).stack}` };
  }
}
