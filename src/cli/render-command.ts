// Renders a job agent config against a dispatch context the way a job would, for previews.
import { TemplateError, renderConfig } from '../template/index.ts';

/** The rendered config, or the template error (Go's message with the config path) when it fails. */
export function renderPreview(config: unknown, context: unknown): { rendered?: unknown; error?: string } {
  try {
    return { rendered: renderConfig(config, context) };
  } catch (e) {
    if (e instanceof TemplateError) return { error: e.message };
    throw e;
  }
}
