import { describe, expect, it } from 'vitest';
import { renderPreview } from '../../src/cli/render-command.ts';

describe('renderPreview', () => {
  it('returns the rendered config', () => {
    expect(renderPreview({ repo: '{{ .deployment.slug }}' }, { deployment: { slug: 'api' } })).toEqual({
      rendered: { repo: 'api' },
    });
  });

  it('returns the template error instead of throwing', () => {
    expect(renderPreview({ ref: '{{ .version.tag.x }}' }, { version: { tag: 'v1' } })).toEqual({
      error:
        'jobAgentConfig.ref: template: ref:1:11: executing "ref" at <.version.tag.x>: can\'t evaluate field x in type interface {}',
    });
  });
});
