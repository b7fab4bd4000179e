import { describe, expect, it } from 'vitest';
import { InstallationBudget } from '../../src/activities/installation-budget.ts';
import { createWorkerMetrics } from '../../src/metrics/worker-metrics.ts';

describe("the worker's budget metrics", () => {
  it("show each installation's budget, what GitHub counts as spent, the reserve and the look-ups told to wait", async () => {
    const now = 0;
    const budget = new InstallationBudget(0.8, () => now);
    budget.observe(42, {
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '1400',
      'x-ratelimit-reset': '3600',
      'x-ratelimit-resource': 'core',
    });
    // At the reserve: look-ups wait.
    budget.lookUp(42, 'acme/api/101');
    budget.lookUp(42, 'acme/web/101');
    const text = await createWorkerMetrics({ processMetrics: false, githubBudget: budget }).registry.metrics();
    expect(text).toContain('gha_agent_github_budget_requests{installation="42"} 4000');
    expect(text).toContain('gha_agent_github_budget_used{installation="42"} 3600');
    expect(text).toContain('gha_agent_github_budget_reserve{installation="42"} 400');
    expect(text).toContain('gha_agent_github_lookups_deferred_total{installation="42"} 2');
  });
});
