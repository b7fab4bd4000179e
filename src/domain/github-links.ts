/** GitHub's web page of a workflow, from the repository's page and the run's `path` (which may end in `@ref`). */
export function workflowPageUrl(repositoryHtmlUrl: string | undefined, path: string | undefined): string | undefined {
  const file = path?.split('@')[0]?.split('/').pop();
  return repositoryHtmlUrl && file ? `${repositoryHtmlUrl}/actions/workflows/${file}` : undefined;
}
