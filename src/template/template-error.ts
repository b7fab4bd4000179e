/** A parse or execution error; `message` is in Go's form (`template: NAME:LINE:COL: ...`). */
/** Go's messages for a lone `}` in an action, and what usually causes them. */
const UNCLOSED_ACTION = /unexpected "\}" in operand|bad character U\+007D '\}'/g;

/** A template error message with a hint where Go's words alone puzzle people; Go's text stays as it is. */
export function withTemplateHint(message: string): string {
  return message.replace(UNCLOSED_ACTION, (found) => `${found} (an action must end with two braces: close it with }})`);
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** The config path of the string that failed, when raised by renderConfig. */
  readonly path?: string;

  constructor(message: string, path?: string) {
    super(message);
    if (path !== undefined) this.path = path;
  }
}
