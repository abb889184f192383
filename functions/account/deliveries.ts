import type { Deliveries, RecordedEvent } from '../workers/stream-handler.ts';
import { reactivateAccount, suspendAccount } from './deactivate.ts';
import { eraseAccount } from './erase.ts';
import { buildPersonalExport } from './personal-export.ts';

const erase = async (event: RecordedEvent) => void (await eraseAccount((event.data as { userId: string }).userId));

export const accountDeliveries: Deliveries = {
  AccountDeactivated: [suspendAccount],
  AccountReactivated: [reactivateAccount],
  AccountDeletionRequested: [erase],
  PersonalExportRequested: [buildPersonalExport],
};
