import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { EventKind, MootEvent } from '../lib/events.ts';
import { groupDeliveries } from '../groups/deliveries.ts';
import { pollDeliveries } from '../polls/deliveries.ts';
import { notificationDeliveries } from '../notifications/deliveries.ts';
import { accountDeliveries } from '../account/deliveries.ts';
import { exportDeliveries } from '../exports/deliveries.ts';
import { logger } from '../lib/logger.ts';

/** A recorded event as the stream delivers it. */
export interface RecordedEvent {
  eventId: string;
  kind: EventKind;
  actorId?: string;
  at: string;
  data: Omit<MootEvent, 'kind'>;
}

export type Delivery = (event: RecordedEvent) => Promise<void>;
export type Deliveries = { [K in EventKind]?: Delivery[] };

/**
 * Which deliveries each event kind fans out to (in-app notifications, email, audit and exports
 * join here as they are built). Each capability declares its own, typed by event kind, so nothing
 * is wired by a free-form string.
 */
export const deliveries: Deliveries = mergeDeliveries(groupDeliveries, notificationDeliveries, accountDeliveries, exportDeliveries, pollDeliveries);

function mergeDeliveries(...sets: Deliveries[]): Deliveries {
  const merged: Deliveries = {};
  for (const set of sets) {
    for (const [kind, list] of Object.entries(set) as Array<[EventKind, Delivery[]]>) (merged[kind] ??= []).push(...list);
  }
  return merged;
}

/**
 * The table's stream, in the cloud and from the local poller alike. Only newly inserted event
 * items are delivered; a record that fails is reported so the batch is retried from it.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (record.eventName !== 'INSERT' || !image) continue;
    let recorded: RecordedEvent | null = null;
    try {
      const item = unmarshall(image as Record<string, AttributeValue>);
      if (item.type !== 'event') continue;
      recorded = { eventId: item.eventId, kind: item.kind, actorId: item.actorId, at: item.at, data: item.data };
      for (const deliver of deliveries[recorded.kind] ?? []) await deliver(recorded);
    } catch (error) {
      logger.error('Event delivery failed', { kind: recorded?.kind, eventId: recorded?.eventId, error: error as Error });
      batchItemFailures.push({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' });
      break;
    }
  }
  return { batchItemFailures };
}
