import type { DueItem } from '../workers/scheduler-handler.ts';
import { eraseAccount } from './erase.ts';

/** The scheduler's final pass of an erase, 5 minutes after the request (it removes the erasure record last). */
export async function eraseDueAccount(item: DueItem): Promise<void> {
  await eraseAccount(item.pk.slice('erasure#'.length), { final: true });
}
