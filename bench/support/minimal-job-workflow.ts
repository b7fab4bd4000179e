// The smallest workflow with a job's shape, for the engine's ceiling: start, one activity, three signals, complete.
// Bundled by bench/support/engine-ceiling.ts; deterministic workflow code only.
import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export const runEventSignal = defineSignal<[string]>('runEvent');

const { dispatch } = proxyActivities<{ dispatch(): Promise<void> }>({ startToCloseTimeout: '30 seconds' });

export async function minimalJob(): Promise<void> {
  let events = 0;
  setHandler(runEventSignal, () => {
    events++;
  });
  await dispatch();
  await condition(() => events >= 3);
}
