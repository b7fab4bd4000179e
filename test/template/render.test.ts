import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GoTime, ProgramCache, TemplateError, parseJson, renderConfig, renderTemplate } from '../../src/template/index.ts';

const context = {
  deployment: { id: 'd-1', name: 'API', slug: 'api-service' },
  environment: { id: 'e-1', name: 'production' },
  resource: { identifier: 'cluster-1', config: { namespace: 'payments', replicas: 3 } },
  version: { tag: 'v1.2.3' },
  variables: { image: 'ghcr.io/acme/api', ratio: 0.5 },
};

describe('renderConfig', () => {
  it('renders every string of a nested config and keeps keys and other values', () => {
    const config = {
      owner: 'acme',
      repo: '{{ .deployment.slug }}-deploy',
      installationId: 12345,
      workflowId: 'deploy.yml',
      '{{ .key }}': 'key untouched',
      inputs: { image: '{{ .variables.image }}:{{ .version.tag }}', dryRun: false, extra: null },
      args: ['--ns={{ .resource.config.namespace }}', 7, { nested: '{{ .environment.name }}' }],
    };
    const rendered = renderConfig(config, context);
    expect(rendered).toEqual({
      owner: 'acme',
      repo: 'api-service-deploy',
      installationId: 12345,
      workflowId: 'deploy.yml',
      '{{ .key }}': 'key untouched',
      inputs: { image: 'ghcr.io/acme/api:v1.2.3', dryRun: false, extra: null },
      args: ['--ns=payments', 7, { nested: 'production' }],
    });
    expect(config.repo).toBe('{{ .deployment.slug }}-deploy');
  });

  it('names the config path of a failing string in the error', () => {
    expect(() => renderConfig({ repo: '{{ .version.tag.major }}' }, context)).toThrowError(
      'jobAgentConfig.repo: template: repo:1:11: executing "repo" at <.version.tag.major>: can\'t evaluate field major in type interface {}',
    );
    try {
      renderConfig({ inputs: { list: ['ok', '{{ fail "nope" }}'] } }, context);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      expect((e as TemplateError).path).toBe('jobAgentConfig.inputs.list[1]');
      expect((e as TemplateError).message).toBe(
        'jobAgentConfig.inputs.list[1]: template: inputs.list[1]:1:3: executing "inputs.list[1]" at <fail "nope">: error calling fail: nope',
      );
    }
  });

  it('reports parse errors with the path too', () => {
    expect(() => renderConfig({ ref: '{{ .x ' }, context, { rootPath: 'cfg' })).toThrowError('cfg.ref: template: ref:1: unclosed action');
  });
});

describe('strings are bytes (#28)', () => {
  it('renderTemplate keeps raw bytes (U+DC00 + byte); renderConfig writes them as U+FFFD, as Go json.Marshal would', () => {
    expect(renderTemplate('{{trunc 1 "é"}}', {})).toBe('\udcc3');
    expect(renderTemplate('{{trunc 1 "é"}}{{substr 1 2 "é"}}', {})).toBe('é');
    expect(renderConfig({ a: '{{trunc 1 "é"}}x', b: ['{{"\\xff"}}'] }, {})).toEqual({ a: '\ufffdx', b: ['\ufffd'] });
  });

  it('reads lone surrogates in data and template sources as U+FFFD, as Go decodes JSON', () => {
    expect(renderTemplate('{{len .s}}|{{.s}}|\udcc3', { s: '\udcc3' })).toBe('3|\ufffd|\ufffd');
  });
});

describe('renderTemplate', () => {
  it('prints JS numbers as JSON.stringify writes them and JSON literals as written', () => {
    expect(renderTemplate('{{ .a }} {{ .b }} {{ .c }} {{ .d }}', { a: 3, b: 1.5, c: 1e21, d: -0.25 })).toBe('3 1.5 1e+21 -0.25');
    const data = parseJson('{"a": 1.50, "b": 10000000000000000000001, "c": 1e3}');
    expect(renderTemplate('{{ .a }} {{ .b }} {{ .c }} {{ toJson . }}', data)).toBe(
      '1.50 10000000000000000000001 1e3 {"a":1.50,"b":10000000000000000000001,"c":1e3}',
    );
  });

  it('prints <no value> for missing keys (missingkey=zero)', () => {
    expect(renderTemplate('{{ .variables.nope }}', context)).toBe('<no value>');
  });

  it('uses the given name in error messages', () => {
    expect(() => renderTemplate('{{ .version.tagg.x }}', context, { name: 'deploy' })).toThrowError(
      'template: deploy:1:11: executing "deploy" at <.version.tagg.x>: nil pointer evaluating interface {}.x',
    );
  });

  it('refuses to read the environment', () => {
    for (const src of ['{{ env "HOME" }}', '{{ expandenv "$HOME" }}', '{{ "PATH" | env }}']) {
      expect(() => renderTemplate(src, {})).toThrowError(/env is disabled: templates cannot read the environment/);
    }
  });

  it('takes now and the uuid random source from options', () => {
    const now = () => new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
    expect(renderTemplate('{{ now | date "2006-01-02T15:04:05Z07:00" }}', {}, { now })).toBe('2030-01-02T03:04:05Z');
    expect(renderTemplate('{{ now | date "15:04:05.000000" }}', {}, { now: () => new GoTime(0, 1500) })).toBe('00:00:00.000001');
    expect(renderTemplate('{{ uuidv4 }}', {}, { random: () => 0.5 })).toBe('80808080-8080-4080-8080-808080808080');
    expect(renderTemplate('{{ uuidv4 }}', {})).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('throws TemplateError for parse errors', () => {
    expect(() => renderTemplate('{{ if }}', {})).toThrowError(TemplateError);
    expect(() => renderTemplate('a\n{{ nofunc }}', {}, { name: 'x' })).toThrowError('template: x:2: function "nofunc" not defined');
  });
});

describe('ProgramCache', () => {
  it('parses a source once and evicts the least recently used beyond its capacity', () => {
    const cache = new ProgramCache({ maxEntries: 2 });
    const a = cache.get('t', '{{ .a }}');
    expect(cache.get('t', '{{ .a }}')).toBe(a);
    const b = cache.get('t', '{{ .b }}');
    cache.get('t', '{{ .a }}'); // a is now the most recent
    cache.get('t', '{{ .c }}'); // evicts b
    expect(cache.size).toBe(2);
    expect(cache.get('t', '{{ .a }}')).toBe(a);
    expect(cache.get('t', '{{ .b }}')).not.toBe(b);
  });

  it('keys by name as well as source, since the name appears in errors', () => {
    const cache = new ProgramCache();
    expect(cache.get('one', '{{ . }}')).not.toBe(cache.get('two', '{{ . }}'));
  });
});

describe('sandbox safety', () => {
  it('uses no Node-only API in src/template (it runs inside the Temporal workflow sandbox)', () => {
    const dir = fileURLToPath(new URL('../../src/template/', import.meta.url));
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(dir + file, 'utf8');
      expect(text, file).not.toMatch(/from ['"]node:|require\(|\bBuffer\b|\bprocess\.|from ['"](crypto|fs|path|os)['"]/);
    }
  });
});
