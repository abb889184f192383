import type { DueItem } from '../workers/scheduler-handler.ts';
import { eraseAccount } from './erase.ts';

/** The scheduler's backstop: an erase the stream did not finish runs again (the record is removed last). */
export async function eraseDueAccount(item: DueItem): Promise<void> {
  await eraseAccount(item.pk.slice('erasure#'.length));
}
