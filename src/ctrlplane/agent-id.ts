import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace of our agent IDs; changing it would register every installation as a new agent. */
const AGENT_ID_NAMESPACE = '5b0b8f4e-3f7d-4a51-9d0c-6a3c2f1e9b7a';

/**
 * The agent's ID in Ctrlplane when CTRLPLANE_AGENT_ID is not set: a UUIDv5 of workspace and agent name, so every
 * replica and every restart registers (and finds) the same agent. Ctrlplane names are unique per workspace and a
 * new ID with a taken name fails, which a random ID per start would hit on the second start.
 */
export function deriveCtrlplaneAgentId(workspaceId: string, agentName: string): string {
  return uuidv5(`${workspaceId.toLowerCase()}/${agentName}`, AGENT_ID_NAMESPACE);
}
