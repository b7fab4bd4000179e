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
 * is left exactly as the operator set it in Ctrlplane: only an absent agent is created. An agent of another type
 * is a configuration error (its jobs would never be queued for us).
 */
export async function ensureAgentRegistered(client: CtrlplaneClient, identity: AgentIdentity): Promise<{ agent: CtrlplaneJobAgent; created: boolean }> {
  const { workspaceId, agentId, agentName } = identity;
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
  await client.putJobAgent(workspaceId, agentId, { name: agentName, type: HTTP_PULL_AGENT_TYPE, config: {} }).catch((error: unknown) => {
    // Ctrlplane answers 500 when another agent of the workspace already has this name (names are unique), and also
    // when it is unwell: say both, and let the caller try again rather than stop.
    if ((error as { status?: number }).status === 500) {
      throw new CtrlplaneRequestError(
        `could not create Ctrlplane job agent "${agentName}" (${agentId}): ${(error as Error).message}. ` +
          `If this repeats, the name may be taken by an agent with another ID: set CTRLPLANE_AGENT_ID to that agent's ID, or choose another CTRLPLANE_AGENT_NAME.`,
        500,
      );
    }
    throw error;
  });
  return { agent: { id: agentId, workspaceId, name: agentName, type: HTTP_PULL_AGENT_TYPE, config: {} }, created: true };
}
