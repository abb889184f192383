import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { purgeGroup } from '../groups/purge-group.ts';
import { closeDuePoll, outcomeReviewDue, pollClosingSoon } from '../polls/jobs.ts';
import { sendDigests } from '../notifications/digest.ts';
import { eraseDueAccount } from '../account/jobs.ts';
import { logger } from '../lib/logger.ts';
import { countMetric, observed } from '../lib/metrics.ts';
import { tableSchema } from '../lib/table-schema.ts';

/** An item that falls due: it sits in the sparse `gsi2` index until its job has run. */
export interface DueItem {
  pk: string;
  sk: string;
  dueKind: string;
  gsi2sk: string;
}

type Job = (item: DueItem) => Promise<void>;

/** What runs when each kind of item falls due (poll closings, reminders, digests join here). */
export const jobs: Record<string, Job> = {
  purgeGroup,
  closePoll: closeDuePoll,
  pollClosingSoon,
  outcomeReview: outcomeReviewDue,
  eraseAccount: eraseDueAccount,
};

/** Kinds whose job takes every due item of a page at once (10,000 digests fall due together at 06:00). */
export const batchJobs: Record<string, (items: DueItem[]) => Promise<{ failed?: unknown }>> = {
  digest: sendDigests,
};

export const DUE_PARTITION = 'due';

/**
 * Runs every minute (EventBridge in the cloud, a timer locally). It sweeps everything whose due
 * time has passed, not only this minute's, so work that fell due while the stack was down runs on
 * the next tick. Each job removes its item from the index when done, so a retry is harmless.
 */
export const handler = observed(async (): Promise<{ ran: number }> => {
  const index = tableSchema.indexes.gsi2;
  let ran = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: config.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: '#pk = :due AND #sk <= :now',
        ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
        ExpressionAttributeValues: { ':due': DUE_PARTITION, ':now': `${new Date().toISOString()}\uffff` },
        ExclusiveStartKey: startKey,
      }),
    );
    const items = (page.Items ?? []) as DueItem[];
    for (const [kind, batch] of Object.entries(batchJobs)) {
      const due = items.filter((item) => item.dueKind === kind);
      if (!due.length) continue;
      const { failed } = await batch(due);
      if (failed) {
        countMetric('JobFailed', { job: kind });
        throw failed;
      }
      countMetric('JobSucceeded', { job: kind }, due.length);
      ran += due.length;
    }
    for (const item of items) {
      if (batchJobs[item.dueKind]) continue;
      const job = jobs[item.dueKind];
      if (!job) {
        logger.warn('No job for due item', { dueKind: item.dueKind });
        continue;
      }
      try {
        await job(item);
      } catch (error) {
        countMetric('JobFailed', { job: item.dueKind });
        throw error;
      }
      countMetric('JobSucceeded', { job: item.dueKind });
      ran++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { ran };
});
