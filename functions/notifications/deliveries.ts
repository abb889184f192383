import type { EventKind } from '../lib/events.ts';
import type { Deliveries, RecordedEvent } from '../workers/stream-handler.ts';
import { fanOut } from './fan-out.ts';
import { notificationKinds } from './kinds.ts';

/** Every kind in the registry fans out from the stream: in-app notifications and email. */
export const notificationDeliveries: Deliveries = Object.fromEntries(
  (Object.keys(notificationKinds) as EventKind[]).map((kind) => [kind, [async (event: RecordedEvent) => void (await fanOut(event))]]),
);
