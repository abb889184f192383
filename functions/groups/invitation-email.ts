import { config } from '../lib/config.ts';
import { brandedHtml, emailButton, escapeHtml, type OutgoingEmail } from '../lib/mail.ts';

/** An invitation: who invites you to which group, and the single-use link (token in the fragment). */
export function invitationEmail(to: string, token: string, groupName: string, inviterName: string | null, message?: string): OutgoingEmail {
  const link = `${config.appUrl}/invitations/accept#token=${token}`;
  const who = inviterName ?? 'Someone';
  const brand = config.brandName;
  return {
    to,
    subject: `${who} invited you to join ${groupName} on ${brand}`,
    text: [
      `${who} invited you to join ${groupName} on ${brand}.`,
      ...(message ? ['', message] : []),
      '',
      `Accept the invitation: ${link}`,
      '',
      'The link works once. If you were not expecting this, you can ignore it.',
    ].join('\n'),
    html: brandedHtml(
      `Invitation to ${groupName}`,
      `<h1 style="font-size:20px">${escapeHtml(who)} invited you to join ${escapeHtml(groupName)}</h1>
${message ? `<blockquote style="border-left:3px solid #cccccc;margin:0;padding-left:12px;white-space:pre-wrap">${escapeHtml(message)}</blockquote>` : ''}
${emailButton(link, 'Accept the invitation')}
<p style="color:#555555">The link works once. If you were not expecting this, you can ignore it.</p>`,
      { maxWidth: 480 },
    ),
  };
}

/** Sends messages a few at a time, so a large invitation batch neither floods SES nor waits on each in turn. */
export async function sendAll(messages: OutgoingEmail[], send: (m: OutgoingEmail) => Promise<unknown>, concurrency = 8): Promise<number> {
  let next = 0;
  let failures = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, messages.length) }, async () => {
      while (next < messages.length) {
        const message = messages[next++]!;
        await send(message).catch(() => failures++);
      }
    }),
  );
  return failures;
}
