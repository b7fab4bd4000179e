/** A validation problem as Ctrlplane's OpenAPI validator lists it in `details`. */
export interface CtrlplaneValidationDetail {
  path: string;
  message: string;
  errorCode?: string;
}

/**
 * An error answer in the shape Ctrlplane's API sends: `{message, code?, details?}` (its OpenAPI document also
 * declares `{error}`, which the server never sends). `code` and `details` appear where the real server puts them:
 * none on "Job agent not found", `NOT_FOUND` on "Workspace not found", `Bad Request` and the problems on a request
 * its validator refuses, `INTERNAL_ERROR` on an unhandled error.
 */
export class CtrlplaneError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'CtrlplaneError';
  }

  body(): { message: string; code?: string; details?: unknown } {
    return {
      message: this.message,
      ...(this.code === undefined ? {} : { code: this.code }),
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }

  /** A request the API's OpenAPI validator refuses: 400, the first problem as the message, all of them in `details`. */
  static validation(problems: CtrlplaneValidationDetail[]): CtrlplaneError {
    const first = problems[0] as CtrlplaneValidationDetail;
    const message = first.errorCode ? `request${first.path} ${first.message}` : first.message;
    return new CtrlplaneError(400, message, 'Bad Request', problems);
  }

  /** An error no handler caught (a database constraint, a malformed UUID): 500, as Express's last handler answers it. */
  static internal(cause: string): CtrlplaneError {
    return new CtrlplaneError(500, `Internal server error: ${cause}`, 'INTERNAL_ERROR', `error: ${cause}`);
  }
}
