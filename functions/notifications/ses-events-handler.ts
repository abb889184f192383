import type { SNSEvent } from 'aws-lambda';
import { batchPut } from '../lib/db.ts';
import { logger } from '../lib/logger.ts';
import { observed } from '../lib/metrics.ts';
import { suppressionKey, type SuppressionItem } from '../lib/mail.ts';

/** The parts of an SES event-publishing message (or an identity notification) that matter here. */
interface SesFeedback {
  eventType?: string;
  notificationType?: string;
  bounce?: { bounceType: 'Permanent' | 'Transient' | 'Undetermined'; bounceSubType?: string; bouncedRecipients: Array<{ emailAddress: string }> };
  complaint?: { complaintFeedbackType?: string; complainedRecipients: Array<{ emailAddress: string }> };
}

/** Which addresses a feedback message suppresses: hard bounces and complaints; soft bounces none (SES retries them). */
export function suppressionsFrom(feedback: SesFeedback, at = new Date().toISOString()): SuppressionItem[] {
  const type = feedback.eventType ?? feedback.notificationType;
  if (type === 'Bounce' && feedback.bounce?.bounceType === 'Permanent') {
    return feedback.bounce.bouncedRecipients.map((r) => ({ ...suppressionKey(r.emailAddress), type: 'suppression', reason: 'bounce', at, detail: feedback.bounce!.bounceSubType ?? 'General' }));
  }
  if (type === 'Complaint' && feedback.complaint) {
    return feedback.complaint.complainedRecipients.map((r) => ({ ...suppressionKey(r.emailAddress), type: 'suppression', reason: 'complaint', at, detail: feedback.complaint!.complaintFeedbackType ?? 'unknown' }));
  }
  return [];
}

/**
 * SES bounces and complaints, from the configuration set's SNS topic. A hard bounce or a complaint
 * suppresses the address (keyed by its hash, so the table does not gain a copy of it) and `sendEmail`
 * sends it nothing more. Malformed messages are logged and dropped rather than retried forever.
 */
export const handler = observed(async (event: SNSEvent): Promise<{ suppressed: number }> => {
  const items: SuppressionItem[] = [];
  for (const record of event.Records) {
    let feedback: SesFeedback;
    try {
      feedback = JSON.parse(record.Sns.Message) as SesFeedback;
    } catch {
      logger.warn('SES feedback that is not JSON', { messageId: record.Sns.MessageId });
      continue;
    }
    items.push(...suppressionsFrom(feedback));
  }
  // One item per address: a complaint and a bounce in one batch leave the later one.
  const unique = [...new Map(items.map((i) => [i.pk, i])).values()];
  await batchPut(unique.map((i) => ({ ...i })));
  logger.info('SES feedback', { records: event.Records.length, suppressed: unique.length });
  return { suppressed: unique.length };
});
