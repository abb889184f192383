import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { randomBytes } from 'node:crypto';
import { ses } from './clients.ts';
import { config } from './config.ts';
import { emailHash } from './crypto.ts';
import { get, type Key } from './db.ts';
import { countMetric } from './metrics.ts';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** Files sent beside the text and HTML (an iCalendar invite); `content` is the file's text. */
  attachments?: EmailAttachment[];
}

export interface EmailAttachment {
  filename: string;
  /** e.g. `text/calendar; method=REQUEST` (the charset is added). */
  contentType: string;
  content: string;
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

/** RFC 2047 encoded-word for a header value that is not plain ASCII. */
const encodeHeader = (value: string): string =>
  /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;

const base64Lines = (value: string): string => Buffer.from(value, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');

/**
 * The raw MIME message: multipart/alternative with a text and an HTML part (base64, UTF-8), plus
 * any extra headers (List-Unsubscribe and friends). With attachments, that alternative is the
 * first part of a multipart/mixed, each file a base64 part after it. Hand-written rather than nodemailer's
 * MailComposer, which alone is ~135 KB of a 300 KB Lambda budget; `mail.test.ts` parses it back.
 */
/** The From header: the deployment's name over its sending address (`"Moot for Government" <no-reply@…>`). */
export function fromHeader(): string {
  if (config.mailFrom.includes('<')) return encodeHeader(config.mailFrom);
  const name = /^[\x20-\x7e]*$/.test(config.brandName) ? `"${config.brandName.replace(/["\\]/g, '\\$&')}"` : encodeHeader(config.brandName);
  return `${name} <${config.mailFrom}>`;
}

export function composeMime(message: OutgoingEmail, now = new Date()): Buffer {
  const boundary = `moot-${randomBytes(12).toString('hex')}`;
  const mixed = message.attachments?.length ? `moot-${randomBytes(12).toString('hex')}` : null;
  const domain = /@([^>\s]+)/.exec(config.mailFrom)?.[1] ?? 'moot.localhost';
  const headers: Array<[string, string]> = [
    ['From', fromHeader()],
    ['To', message.to],
    ['Subject', encodeHeader(message.subject)],
    ['Date', now.toUTCString().replace('GMT', '+0000')],
    ['Message-ID', `<${randomBytes(16).toString('hex')}@${domain}>`],
    ['MIME-Version', '1.0'],
    ...Object.entries(message.headers ?? {}).map(([name, value]): [string, string] => [name, encodeHeader(value)]),
    ['Content-Type', mixed ? `multipart/mixed; boundary="${mixed}"` : `multipart/alternative; boundary="${boundary}"`],
  ];
  for (const [name, value] of headers) if (/[\r\n]/.test(name + value)) throw new Error(`Header ${name} holds a line break`);
  const part = (type: string, body: string) =>
    [`--${boundary}`, `Content-Type: ${type}; charset=utf-8`, 'Content-Transfer-Encoding: base64', '', base64Lines(body)].join('\r\n');
  const alternative = [part('text/plain', message.text), part('text/html', message.html), `--${boundary}--`];
  const body = mixed
    ? [
        `--${mixed}`,
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        ...alternative,
        ...(message.attachments ?? []).map((file) => {
          const name = file.filename.replace(/[^A-Za-z0-9._-]/g, '_');
          if (/[\r\n]/.test(file.contentType)) throw new Error('Attachment type holds a line break');
          return [`--${mixed}`, `Content-Type: ${file.contentType}; charset=utf-8; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '', base64Lines(file.content)].join('\r\n');
        }),
        `--${mixed}--`,
      ]
    : alternative;
  return Buffer.from([...headers.map(([name, value]) => `${name}: ${value}`), '', ...body, ''].join('\r\n'));
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
export async function sendEmail(message: OutgoingEmail, options: { suppressionChecked?: boolean } = {}): Promise<'sent' | 'suppressed'> {
  // A caller that checked suppression inside its own transaction saves this read.
  if (!options.suppressionChecked && (await isSuppressed(message.to))) {
    countMetric('EmailSuppressed');
    return 'suppressed';
  }
  const raw = composeMime(message);
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
      countMetric('EmailSent');
      return 'sent';
    } catch (error) {
      if (!throttled(error) || attempt >= 5) {
        countMetric('EmailFailed');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt + Math.random() * 100));
    }
  }
}

/**
 * The frame every HTML email shares: the deployment's name as a header in its brand colours, then
 * `body`. Colours come from the deployment's branding (BRAND_COLOURS); inline styles only, since
 * mail clients drop style sheets. No images: email never loads anything.
 */
export function brandedHtml(title: string, body: string, options: { maxWidth?: number } = {}): string {
  const { primary, primaryContrast } = config.brandColours;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1a1a1a;background:#ffffff;margin:0;padding:24px">
<main style="max-width:${options.maxWidth ?? 520}px;margin:0 auto">
<p style="margin:0 0 16px"><span style="display:inline-block;background:${escapeHtml(primary)};color:${escapeHtml(primaryContrast)};padding:6px 12px;border-radius:6px;font-weight:700;font-size:15px">${escapeHtml(config.brandName)}</span></p>
${body}
</main></body></html>`;
}

/** A link styled as the brand's primary button. */
export const emailButton = (href: string, label: string): string => {
  const { primary, primaryContrast } = config.brandColours;
  return `<p><a href="${escapeHtml(href)}" style="display:inline-block;background:${escapeHtml(primary)};color:${escapeHtml(primaryContrast)};padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600">${escapeHtml(label)}</a></p>`;
};

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML email bodies; templates escape every interpolated value with it. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => htmlEscapes[c] ?? c);
