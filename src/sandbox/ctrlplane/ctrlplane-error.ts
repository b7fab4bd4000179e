/**
 * An error answer in Ctrlplane's shape: `{error}`, plus `details` when a request was rejected by
 * validation, so a client sees what it would see from the real API.
 */
export class CtrlplaneError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CtrlplaneError';
  }

  body(): { error: string; details?: unknown } {
    return this.details === undefined ? { error: this.message } : { error: this.message, details: this.details };
  }
}
