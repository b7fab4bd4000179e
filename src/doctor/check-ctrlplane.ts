import type { CtrlplaneSettings } from '../config/env.ts';
import { deriveCtrlplaneAgentId } from '../ctrlplane/agent-id.ts';
import { CtrlplaneRequestError } from '../ctrlplane/ctrlplane-client.ts';
import { HTTP_PULL_AGENT_TYPE } from '../ctrlplane/ctrlplane-job.ts';
import { createCtrlplaneClient } from '../ctrlplane/start-ctrlplane-connection.ts';
import { ok, problem, skipped, warn, type CheckResult } from './check-result.ts';

/**
 * The Ctrlplane connection as the worker will use it: Ctrlplane answers, takes the key, and the workspace has our
 * agent with type `http-pull` (or will have it: the worker creates it at start).
 */
export async function checkCtrlplane(settings: CtrlplaneSettings | undefined): Promise<CheckResult[]> {
  if (!settings) return [skipped('ctrlplane', 'Ctrlplane', "CTRLPLANE_URL not set: jobs come only through this service's own API")];
  const agentId = settings.agentId ?? deriveCtrlplaneAgentId(settings.workspaceId, settings.agentName);
  const client = createCtrlplaneClient(settings);
  let agent;
  let workspace;
  try {
    // Ctrlplane's agent route answers an unknown workspace as an unknown agent: the workspace route tells them apart.
    workspace = await client.getWorkspace(settings.workspaceId);
    if (workspace) agent = await client.getJobAgent(settings.workspaceId, agentId);
  } catch (error) {
    const status = error instanceof CtrlplaneRequestError ? error.status : undefined;
    if (status === undefined) {
      return [
        problem(
          'ctrlplane.reachable',
          'Ctrlplane reachable',
          (error as Error).message,
          `check CTRLPLANE_URL (${settings.apiUrl} is what the worker calls) and the network path from the worker`,
        ),
        skipped('ctrlplane.key', 'Ctrlplane API key', 'needs Ctrlplane to answer'),
      ];
    }
    const reachable = ok('ctrlplane.reachable', 'Ctrlplane reachable', settings.apiUrl);
    if (status === 401 || status === 403) {
      return [
        reachable,
        problem(
          'ctrlplane.key',
          'Ctrlplane API key',
          `HTTP ${status}: the key was refused`,
          'create an API key in Ctrlplane (Settings → API keys) and set CTRLPLANE_API_KEY to it',
        ),
      ];
    }
    return [
      reachable,
      problem('ctrlplane.agent', 'Ctrlplane job agent', (error as Error).message, 'see the message; CTRLPLANE_WORKSPACE_ID must be the workspace ID'),
    ];
  }
  const results = [ok('ctrlplane.reachable', 'Ctrlplane reachable', settings.apiUrl), ok('ctrlplane.key', 'Ctrlplane API key', 'accepted')];
  if (!workspace) {
    results.push(
      problem(
        'ctrlplane.workspace',
        'Ctrlplane workspace',
        `no workspace ${settings.workspaceId} that the key's user is a member of`,
        "set CTRLPLANE_WORKSPACE_ID to the workspace's ID (its settings show it) and CTRLPLANE_API_KEY to a key of a member of it",
      ),
    );
    return results;
  }
  results.push(ok('ctrlplane.workspace', 'Ctrlplane workspace', `${workspace.name ?? workspace.id} (${workspace.id})`));
  if (!agent) {
    results.push(
      warn(
        'ctrlplane.agent',
        'Ctrlplane job agent',
        `no agent ${agentId} ("${settings.agentName}") in workspace ${settings.workspaceId} yet`,
        'the worker creates it when it starts',
      ),
    );
  } else if (agent.type !== HTTP_PULL_AGENT_TYPE) {
    results.push(
      problem(
        'ctrlplane.agent',
        'Ctrlplane job agent',
        `agent ${agentId} ("${agent.name}") has type "${agent.type}"`,
        `use an agent of type ${HTTP_PULL_AGENT_TYPE}: set CTRLPLANE_AGENT_NAME or CTRLPLANE_AGENT_ID to another agent`,
      ),
    );
  } else {
    results.push(
      ok(
        'ctrlplane.agent',
        'Ctrlplane job agent',
        `"${agent.name}" (${agentId}), type ${HTTP_PULL_AGENT_TYPE}; deployments pick it with jobAgentSelector jobAgent.name == '${agent.name}'`,
      ),
    );
  }
  return results;
}
