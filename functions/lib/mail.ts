import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ses } from './clients.ts';
import { config } from './config.ts';
import { emailHash } from './crypto.ts';
import { get, type Key } from './db.ts';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

/** An address that hard-bounced or complained: no more mail goes to it. Keyed by the address's hash. */
export interface SuppressionItem extends Key {
  type: 'suppression';
  reason: 'bounce' | 'complaint';
  at: string;
  /** The SES feedback that caused it (bounce sub-type or complaint type), never the address. */
  detail: string;
}

export const suppressionKey = (email: string): Key => ({ pk: `suppressed#${emailHash(email)}`, sk: 'suppression' });

export const isSuppressed = async (email: string): Promise<boolean> => (await get<SuppressionItem>(suppressionKey(email))) !== null;

/** The raw MIME message: a text and an HTML part, plus any headers (List-Unsubscribe and friends). */
export async function composeMime(message: OutgoingEmail): Promise<Buffer> {
  const composer = new MailComposer({
    from: config.mailFrom,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
  });
  return composer.compile().build();
}

const ratePerSecond = Math.max(1, Number(process.env.SES_RATE_PER_SECOND) || 14);
let nextSlot = 0;

/** Spaces sends to the deployment's SES rate across everything this process sends at once. */
async function waitForSlot(): Promise<void> {
  const now = Date.now();
  const slot = Math.max(now, nextSlot);
  nextSlot = slot + 1000 / ratePerSecond;
  if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
}

const throttled = (error: unknown) =>
  ['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'LimitExceededException'].includes((error as Error).name) ||
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 429;

/**
 * Sends one message through SES (the emulator locally) as raw MIME, always with a text and an
 * HTML part. Suppressed addresses (hard bounces, complaints) get nothing: the answer says so.
 * Sends keep to `SES_RATE_PER_SECOND` and back off when SES throttles anyway.
 */
export async function sendEmail(message: OutgoingEmail): Promise<'sent' | 'suppressed'> {
  if (await isSuppressed(message.to)) return 'suppressed';
  const raw = await composeMime(message);
  for (let attempt = 0; ; attempt++) {
    await waitForSlot();
    try {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: config.mailFrom,
          Destination: { ToAddresses: [message.to] },
          ConfigurationSetName: config.sesConfigurationSet,
          Content: { Raw: { Data: raw } },
        }),
      );
      return 'sent';
    } catch (error) {
      if (!throttled(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt + Math.random() * 100));
    }
  }
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML email bodies; templates escape every interpolated value with it. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
