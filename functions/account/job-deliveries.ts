import type { Deliveries, RecordedEvent } from '../workers/stream-reader.ts';
import { eraseAccount } from './erase.ts';
import { buildPersonalExport } from './personal-export.ts';

const erase = async (event: RecordedEvent) => void (await eraseAccount((event.data as { userId: string }).userId));

/** Run by the jobs worker: each can take minutes. */
export const accountJobs: Deliveries = {
  AccountDeletionRequested: [erase],
  PersonalExportRequested: [buildPersonalExport],
};
