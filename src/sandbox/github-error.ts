/** GitHub's generic documentation link, used in auth errors and for unknown routes. */
export const GENERIC_DOCS_URL = 'https://docs.github.com/rest';

/**
 * An error answer in GitHub's shape: `{message, documentation_url, status}` (status as a string,
 * as GitHub has sent it since 2024).
 */
export class GithubError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly documentationUrl: string = GENERIC_DOCS_URL,
  ) {
    super(message);
    this.name = 'GithubError';
  }

  body(): { message: string; documentation_url: string; status: string } {
    return { message: this.message, documentation_url: this.documentationUrl, status: String(this.status) };
  }
}
