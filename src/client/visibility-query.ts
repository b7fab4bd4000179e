/** A visibility-query string literal: quotes and backslashes escaped, so a filter value can never end the literal. */
export function quoteVisibilityValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
