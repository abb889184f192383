import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { EventKind, MootEvent } from '../lib/events.ts';
import { logger } from '../lib/logger.ts';
import { observed } from '../lib/metrics.ts';

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

export function mergeDeliveries(...sets: Deliveries[]): Deliveries {
  const merged: Deliveries = {};
  for (const set of sets) {
    for (const [kind, list] of Object.entries(set) as Array<[EventKind, Delivery[]]>) (merged[kind] ??= []).push(...list);
  }
  return merged;
}

/**
 * A reader of the table's stream, in the cloud and from the local poller alike. Only newly
 * inserted event items are delivered; a record that fails is reported so the batch is retried
 * from it.
 */
export const streamReader = (deliveries: Deliveries) => observed(async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
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
});
