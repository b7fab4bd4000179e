import { type CtrlplaneClient, CtrlplaneRequestError } from './ctrlplane-client.ts';
import { type CtrlplaneJobAgent, HTTP_PULL_AGENT_TYPE } from './ctrlplane-job.ts';

/** A registration problem that only an operator can fix (the worker refuses to start and says how). */
export class CtrlplaneAgentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CtrlplaneAgentConfigError';
  }
}

export interface AgentIdentity {
  workspaceId: string;
  agentId: string;
  agentName: string;
}

/**
 * Makes sure the `http-pull` agent exists. Ctrlplane's PUT replaces name, type and config, so an agent that exists
 * is left exactly as the operator set it in Ctrlplane: only an absent agent is created. What only an operator can fix
 * throws `CtrlplaneAgentConfigError` naming the setting: a workspace the key's user cannot see, an agent of another
 * type (its jobs would never be queued for us), a name another agent has.
 */
export async function ensureAgentRegistered(client: CtrlplaneClient, identity: AgentIdentity): Promise<{ agent: CtrlplaneJobAgent; created: boolean }> {
  const { workspaceId, agentId, agentName } = identity;
  // Ctrlplane's agent routes answer "Job agent not found" for an unknown workspace too, and let any key create an
  // agent in any workspace: only the workspace route checks that the key's user is a member.
  if (!(await client.getWorkspace(workspaceId))) {
    throw new CtrlplaneAgentConfigError(
      `Ctrlplane has no workspace ${workspaceId} that the user of this API key is a member of: set CTRLPLANE_WORKSPACE_ID to ` +
        `the workspace's ID (Ctrlplane shows it in the workspace's settings), and CTRLPLANE_API_KEY to a key of a member of it`,
    );
  }
  const existing = await client.getJobAgent(workspaceId, agentId);
  if (existing) {
    if (existing.type !== HTTP_PULL_AGENT_TYPE) {
      throw new CtrlplaneAgentConfigError(
        `Ctrlplane job agent ${agentId} ("${existing.name}") is of type "${existing.type}", not "${HTTP_PULL_AGENT_TYPE}": ` +
          `Ctrlplane never queues its jobs for pulling. Set CTRLPLANE_AGENT_NAME (or CTRLPLANE_AGENT_ID) to an agent of ` +
          `type ${HTTP_PULL_AGENT_TYPE}, or delete that agent in Ctrlplane so this worker can create it.`,
      );
    }
    return { agent: existing, created: false };
  }
  try {
    await client.putJobAgent(workspaceId, agentId, { name: agentName, type: HTTP_PULL_AGENT_TYPE, config: {} });
  } catch (error) {
    // Ctrlplane answers 500 when another agent of the workspace already has this name (names are unique), and also
    // when it is unwell: the agent list tells which.
    if (error instanceof CtrlplaneRequestError && error.status === 500) await refuseTakenName(client, identity);
    throw error;
  }
  return { agent: { id: agentId, workspaceId, name: agentName, type: HTTP_PULL_AGENT_TYPE, config: {} }, created: true };
}

async function refuseTakenName(client: CtrlplaneClient, { workspaceId, agentId, agentName }: AgentIdentity): Promise<void> {
  const agents = await client.listJobAgents(workspaceId).catch(() => []);
  const holder = agents.find((agent) => agent.name === agentName && agent.id !== agentId);
  if (!holder) return;
  throw new CtrlplaneAgentConfigError(
    `Ctrlplane job agent name "${agentName}" is taken by agent ${holder.id} (type "${holder.type}") in workspace ${workspaceId}, ` +
      `and this worker's agent ID is ${agentId}: to pull that agent's jobs set CTRLPLANE_AGENT_ID=${holder.id}` +
      `${holder.type === HTTP_PULL_AGENT_TYPE ? '' : ` (after changing its type to ${HTTP_PULL_AGENT_TYPE})`}, or choose another CTRLPLANE_AGENT_NAME`,
  );
}
