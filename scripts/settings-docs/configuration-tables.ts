import { SETTINGS, type Setting } from '../../src/config/settings.ts';
import { CHART_ONLY_VALUES } from './chart-only-values.ts';

/** The file the tables live in, relative to the repository. */
export const CONFIGURATION_DOC = 'docs/configuration.md';

const DECLARED: readonly Setting[] = SETTINGS;

function code(text: string): string {
  return `\`${text}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function readers(setting: Setting): string {
  return setting.readBy.join(', ');
}

/** Every env var: who reads it, its default, whether it is a secret, what it sets. */
export function envVarTable(): string {
  const rows = DECLARED.map((setting) =>
    [
      code(setting.name),
      readers(setting),
      setting.default === undefined ? 'unset' : code(setting.default),
      (setting.secret ? 'secret: ' : '') + setting.meaning,
    ].map(cell),
  );
  return table(['variable', 'read by', 'default', 'meaning'], rows);
}

/** Every chart value: the ones that set an env var, from the declaration, then the chart's own. */
export function chartValuesTable(): string {
  const mapped = DECLARED.flatMap((setting) => {
    if (!setting.chart) return [];
    const chartDefault = setting.chart.default ?? setting.default;
    const sets = `${code(setting.name)} (${readers(setting)})`;
    return [[code(setting.chart.value), chartDefault === undefined ? 'unset' : code(chartDefault), [sets, setting.chart.note].filter(Boolean).join('; ')]];
  });
  const own = CHART_ONLY_VALUES.map((value) => [value.value, value.default, value.meaning]);
  return table(
    ['value', 'default', 'sets'],
    [...mapped, ...own].map((row) => row.map(cell)),
  );
}

function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

const TABLES: Record<string, () => string> = { 'env-vars': envVarTable, 'chart-values': chartValuesTable };

/** `doc` with the text between each `<!-- settings:NAME -->` and `<!-- /settings:NAME -->` replaced by its table. */
export function withGeneratedTables(doc: string): string {
  let result = doc;
  for (const [name, render] of Object.entries(TABLES)) {
    const start = `<!-- settings:${name} -->`;
    const end = `<!-- /settings:${name} -->`;
    const from = result.indexOf(start);
    const to = result.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${CONFIGURATION_DOC} lacks the markers ${start} … ${end}`);
    result = `${result.slice(0, from + start.length)}\n${render()}\n${result.slice(to)}`;
  }
  return result;
}
