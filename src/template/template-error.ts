/** A parse or execution error; `message` is in Go's form (`template: NAME:LINE:COL: ...`). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  /** The config path of the string that failed, when raised by renderConfig. */
  readonly path?: string;

  constructor(message: string, path?: string) {
    super(message);
    if (path !== undefined) this.path = path;
  }
}
