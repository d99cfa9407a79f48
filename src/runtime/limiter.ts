/** Bounds how many tasks run at once (p-limit), typed for the supervisor's use. */
import pLimit from 'p-limit';

export function createLimiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  const limit = pLimit(concurrency);
  return <T>(task: () => Promise<T>) => limit(task);
}
