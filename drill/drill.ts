import type { Cluster } from './support/cluster.ts';

/** One drill: disturbs the running cluster the way production does, then checks no job was harmed. */
export interface Drill {
  name: string;
  /** Returns the figures worth printing (e.g. "40 jobs, 3 failed delivery attempts redelivered"); throws on a problem. */
  run(cluster: Cluster, log: (line: string) => void): Promise<string>;
}
