import { update, updateItem, ConditionFailed, patch, type Key } from './db.ts';
import { logger } from './logger.ts';
import { countMetric } from './metrics.ts';

/** How many times a job is tried before it is marked failed (the stream would retry it more). */
export const MAX_JOB_ATTEMPTS = 3;

/**
 * Runs a pending job (or one in another of the `runnable` states, for a job that goes through
 * several before it is done), counting the attempt on its item first. A job that fails its last attempt is
 * marked `failed` (so the person sees that, not "being prepared" for a week) instead of throwing
 * again; earlier failures throw, so the stream retries. A job no longer pending is left alone.
 */
export async function attemptJob(key: Key, what: string, run: () => Promise<void>, options: { runnable?: string[] } = {}): Promise<void> {
  const runnable = options.runnable ?? ['pending'];
  const states = Object.fromEntries(runnable.map((status, i) => [`:s${i}`, status]));
  const isRunnable = `#status IN (${Object.keys(states).join(', ')})`;
  let attempts: number;
  try {
    ({ attempts } = await updateItem<{ attempts: number }>(update(key, { add: { attempts: 1 } }, { if: `attribute_exists(pk) AND ${isRunnable}`, values: states })));
  } catch (error) {
    if (error instanceof ConditionFailed) return;
    throw error;
  }
  try {
    await run();
    countMetric('JobSucceeded', { job: what });
  } catch (error) {
    countMetric('JobFailed', { job: what });
    if (attempts < MAX_JOB_ATTEMPTS) throw error;
    logger.error('Job failed for good', { what, attempts, error: error as Error });
    await updateItem(patch(key, { set: { status: 'failed', finishedAt: new Date().toISOString() } }, { if: isRunnable, values: states })).catch((e: unknown) => {
      if (!(e instanceof ConditionFailed)) throw e;
    });
  }
}
