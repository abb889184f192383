import { groupDeliveries } from '../groups/deliveries.ts';
import { pollDeliveries } from '../polls/deliveries.ts';
import { notificationDeliveries } from '../notifications/deliveries.ts';
import { accountDeliveries } from '../account/deliveries.ts';
import { mergeDeliveries, streamReader, type Deliveries } from './stream-reader.ts';

export type { Deliveries, Delivery, RecordedEvent } from './stream-reader.ts';

/**
 * Which deliveries each event kind fans out to: in-app notifications, email, memberships. Each
 * capability declares its own, typed by event kind, so nothing is wired by a free-form string.
 * Long jobs (archives, imports, erasure) have their own worker: see `jobs-handler.ts`.
 */
export const deliveries: Deliveries = mergeDeliveries(groupDeliveries, notificationDeliveries, accountDeliveries, pollDeliveries);

export const handler = streamReader(deliveries);
