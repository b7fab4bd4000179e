/**
 * `Promise.all` that settles only once every promise has: a request that asks Temporal about several workflows at
 * once answers after all its calls ended, so no call (and no retry timer of the client's) outlives the answer, and
 * a connection closed after the answer has nothing left in flight. The first rejection, in order, is thrown.
 */
export async function allEnded<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
