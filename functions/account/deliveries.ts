import type { Deliveries } from '../workers/stream-reader.ts';
import { reactivateAccount, suspendAccount } from './deactivate.ts';

export const accountDeliveries: Deliveries = {
  AccountDeactivated: [suspendAccount],
  AccountReactivated: [reactivateAccount],
};
