import { describe, expect, it } from 'vitest';
import { envSchema, loadConfig } from '../../../src/config/env.ts';
import { SETTINGS, type Setting, settingDefault, withDeclaredDefaults } from '../../../src/config/settings.ts';
import { temporalConnectConfig } from '../../../src/temporal/connection-options.ts';

const DECLARED: readonly Setting[] = SETTINGS;

describe('the settings declaration', () => {
  it('names each env var once', () => {
    const names = DECLARED.map((setting) => setting.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  it('declares exactly the variables the start-up check parses', () => {
    expect(Object.keys(envSchema.shape).sort()).toEqual(DECLARED.map((setting) => setting.name).sort());
  });

  it('gives every setting at least one process that reads it and a line of meaning', () => {
    for (const setting of DECLARED) {
      expect(setting.readBy.length, setting.name).toBeGreaterThan(0);
      expect(setting.meaning.trim(), setting.name).not.toBe('');
    }
  });

  it.each(DECLARED.filter((setting) => setting.default !== undefined).map((setting) => [setting.name, setting.default as string]))(
    '%s: unset, blank and the declared default %j parse to the same value',
    (name, declared) => {
      const parsed = (source: Record<string, string>) => (loadConfig(source).env as Record<string, unknown>)[name];
      const explicit = parsed({ [name]: declared });
      expect(parsed({})).toEqual(explicit);
      expect(parsed({ [name]: '' })).toEqual(explicit);
      expect(explicit).toBeDefined();
    },
  );

  it('has no default in the schema: a declared default missing from the parse input fails it', () => {
    const withDefault = DECLARED.filter((setting) => setting.default !== undefined);
    const bare = envSchema.safeParse({});
    const failed = new Set(bare.success ? [] : bare.error.issues.map((issue) => String(issue.path[0])));
    expect(withDefault.map((setting) => setting.name).filter((name) => !failed.has(name))).toEqual([]);
  });

  it('fills in defaults for unset and blank variables only', () => {
    const filled = withDeclaredDefaults({ PORT: ' ', LOG_LEVEL: 'debug' });
    expect(filled.PORT).toBe('8080');
    expect(filled.LOG_LEVEL).toBe('debug');
    expect(filled.GITHUB_API_URL).toBeUndefined();
  });

  it("reads a blank Temporal variable, which Temporal's env-config parses itself, as unset too", () => {
    const config = temporalConnectConfig({ TEMPORAL_ADDRESS: ' ', TEMPORAL_NAMESPACE: '' });
    expect(config.connectionOptions.address).toBe(settingDefault('TEMPORAL_ADDRESS'));
    expect(config.namespace).toBe(settingDefault('TEMPORAL_NAMESPACE'));
  });
});
