import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../contract/search-attributes.ts';
import type { TemporalConnectConfig } from '../temporal/connection-options.ts';
import { ok, problem, skipped, type CheckResult } from './check-result.ts';
import { settingDefault } from '../config/settings.ts';

/** Temporal's IndexedValueType numbers for the types this service uses. */
const INDEXED_VALUE_TYPE: Record<'Keyword' | 'Int', number> = { Keyword: 2, Int: 3 };
const CONNECT_TIMEOUT_MS = 5_000;

/** The API's own side: the webhook secret it verifies with (guide: "Job status not updating automatically"). */
export function checkWebhookSecretEnv(secret: string | undefined): CheckResult {
  return secret
    ? ok('api.webhook-secret', 'GITHUB_WEBHOOK_SECRET', "set on this host (it must equal the App's webhook secret)")
    : problem(
        'api.webhook-secret',
        'GITHUB_WEBHOOK_SECRET',
        'not set: the API answers every delivery 503',
        "set GITHUB_WEBHOOK_SECRET on the API to the App's webhook secret (Helm: global.integrations.github.bot.webhookSecret)",
      );
}

/** Temporal is reachable with this host's settings, and the job search attributes are registered. */
export async function checkTemporal(config: TemporalConnectConfig): Promise<CheckResult[]> {
  const address = config.connectionOptions.address ?? settingDefault('TEMPORAL_ADDRESS');
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...(config.connectionOptions as Parameters<typeof Connection.connect>[0]), connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    return [
      problem(
        'temporal.reachable',
        'Temporal',
        `cannot connect to ${address}: ${(error as Error).message}`,
        'set TEMPORAL_ADDRESS (and TEMPORAL_API_KEY / TEMPORAL_TLS_* for Temporal Cloud or TLS) to a running Temporal frontend',
      ),
      skipped('temporal.search-attributes', 'Search attributes', 'needs Temporal'),
    ];
  }
  try {
    const results: CheckResult[] = [];
    try {
      await connection.workflowService.describeNamespace({ namespace: config.namespace });
      results.push(ok('temporal.reachable', 'Temporal', `${address}, namespace ${config.namespace}`));
    } catch (error) {
      results.push(
        problem(
          'temporal.reachable',
          'Temporal',
          `${address} answers, but namespace "${config.namespace}": ${(error as Error).message}`,
          `create it (temporal operator namespace create --namespace ${config.namespace}) or set TEMPORAL_NAMESPACE`,
        ),
      );
      results.push(skipped('temporal.search-attributes', 'Search attributes', 'needs the namespace'));
      return results;
    }
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: config.namespace });
      const registered = (customAttributes ?? {}) as Record<string, number>;
      const wrong = SEARCH_ATTRIBUTE_DEFINITIONS.filter((d) => registered[d.name] !== INDEXED_VALUE_TYPE[d.type]);
      results.push(
        wrong.length === 0
          ? ok('temporal.search-attributes', 'Search attributes', SEARCH_ATTRIBUTE_DEFINITIONS.map((d) => d.name).join(', '))
          : problem(
              'temporal.search-attributes',
              'Search attributes',
              `missing or of the wrong type: ${wrong.map((d) => `${d.name} (${d.type})`).join(', ')}; jobs cannot start`,
              `run \`gha-agent setup\` once, or: temporal operator search-attribute create --namespace ${config.namespace} ${wrong.map((d) => `--name ${d.name} --type ${d.type}`).join(' ')}`,
            ),
      );
    } catch (error) {
      results.push(
        problem(
          'temporal.search-attributes',
          'Search attributes',
          `cannot list them: ${(error as Error).message}`,
          'the Temporal operator API must be reachable with these credentials',
        ),
      );
    }
    return results;
  } finally {
    await connection.close();
  }
}
