import type { EmailCategory } from '../../shared/schemas/notifications.ts';
import { renderMarkdown } from '../../shared/markdown.ts';
import { config } from '../lib/config.ts';
import { brandedHtml, emailButton, escapeHtml, type EmailAttachment } from '../lib/mail.ts';

/** What every template produces; the fan-out adds the recipient, the headers and the footer. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
}

/** The frame of every notification email: brand, the item's link, why you got it, and how to stop. */
export interface Frame {
  /** Why this person got it, e.g. "You're getting this because you're an admin of River Co-op." */
  why: string;
  unsubscribeUrl: string;
  category: EmailCategory;
}

const categoryLabels: Record<EmailCategory, string> = {
  membership: 'membership requests and approvals',
  discussions: 'new discussions and comments',
  mentions: 'mentions and replies',
  polls: 'polls',
  outcomes: 'outcomes',
  digest: 'the email digest',
};

export const categoryLabel = (category: EmailCategory): string => categoryLabels[category];

const button = emailButton;

function page(title: string, body: string, frame: Frame): string {
  const brand = escapeHtml(config.brandName);
  return brandedHtml(
    title,
    `${body}
<hr style="border:none;border-top:1px solid #dddddd;margin:24px 0">
<p style="color:#555555;font-size:13px">${escapeHtml(frame.why)}</p>
<p style="color:#555555;font-size:13px"><a href="${escapeHtml(frame.unsubscribeUrl)}" style="color:#555555">Unsubscribe from ${escapeHtml(categoryLabels[frame.category])}</a> or change your email settings in ${brand}.</p>`,
  );
}

const textFooter = (frame: Frame) =>
  ['', '--', frame.why, `Unsubscribe from ${categoryLabels[frame.category]}: ${frame.unsubscribeUrl}`].join('\n');

/** "X asked to join G": to the group's admins, with the request's introduction rendered as markdown. */
export function membershipRequestedEmail(
  input: { requesterName: string; groupName: string; introduction: string | null; url: string },
  frame: Frame,
): RenderedEmail {
  const subject = `${input.requesterName} asked to join ${input.groupName}`;
  return {
    subject,
    text: [
      `${input.requesterName} asked to join ${input.groupName} on ${config.brandName}.`,
      ...(input.introduction ? ['', input.introduction] : []),
      '',
      `Review the request: ${input.url}`,
      textFooter(frame),
    ].join('\n'),
    html: page(
      subject,
      `<h1 style="font-size:20px">${escapeHtml(input.requesterName)} asked to join ${escapeHtml(input.groupName)}</h1>
${input.introduction ? `<blockquote style="border-left:3px solid #cccccc;margin:0;padding-left:12px">${renderMarkdown(input.introduction, { imagesAsLinks: true })}</blockquote>` : ''}
${button(input.url, 'Review the request')}`,
      frame,
    ),
  };
}

/** "You're now a member of G": to the person whose request was approved. */
export function membershipApprovedEmail(input: { groupName: string; url: string }, frame: Frame): RenderedEmail {
  const subject = `You're now a member of ${input.groupName}`;
  return {
    subject,
    text: [`Your request to join ${input.groupName} was approved.`, '', `Open the group: ${input.url}`, textFooter(frame)].join('\n'),
    html: page(subject, `<h1 style="font-size:20px">${escapeHtml(subject)}</h1>\n<p>Your request to join was approved.</p>\n${button(input.url, 'Open the group')}`, frame),
  };
}

export interface DigestEntry {
  title: string;
  url: string;
  groupName: string | null;
  createdAt: string;
}

/** The digest: unread notifications since the last one, grouped by group. */
export function digestEmail(input: { entries: DigestEntry[]; more: number; notificationsUrl: string }, frame: Frame): RenderedEmail {
  const groups = new Map<string, DigestEntry[]>();
  for (const entry of input.entries) {
    const name = entry.groupName ?? config.brandName;
    groups.set(name, [...(groups.get(name) ?? []), entry]);
  }
  const count = input.entries.length + input.more;
  const subject = `${count} unread ${count === 1 ? 'notification' : 'notifications'} on ${config.brandName}`;
  const text = [
    `Here is what you missed on ${config.brandName}.`,
    ...[...groups].flatMap(([name, entries]) => ['', name, ...entries.map((e) => `- ${e.title}: ${e.url}`)]),
    ...(input.more ? ['', `…and ${input.more} more.`] : []),
    '',
    `All notifications: ${input.notificationsUrl}`,
    textFooter(frame),
  ].join('\n');
  const html = page(
    subject,
    `<h1 style="font-size:20px">Here is what you missed</h1>
${[...groups]
  .map(([name, entries]) => `<h2 style="font-size:16px">${escapeHtml(name)}</h2>\n<ul>${entries.map((e) => `<li><a href="${escapeHtml(e.url)}">${escapeHtml(e.title)}</a></li>`).join('')}</ul>`)
  .join('\n')}
${input.more ? `<p>…and ${input.more} more.</p>` : ''}
${button(input.notificationsUrl, 'See all notifications')}`,
    frame,
  );
  return { subject, text, html };
}

/**
 * A thread, comment, poll or outcome: a heading, one line of context, the item's own text as safe
 * markdown (only ever text the recipient may read), and a button to it. Used by every kind that
 * points at one item, so they all look alike.
 */
export function itemEmail(
  input: { subject: string; heading: string; lead: string; body?: string | null; url: string; action: string },
  frame: Frame,
): RenderedEmail {
  return {
    subject: input.subject,
    text: [input.lead, ...(input.body ? ['', input.body] : []), '', `${input.action}: ${input.url}`, textFooter(frame)].join('\n'),
    html: page(
      input.subject,
      `<h1 style="font-size:20px">${escapeHtml(input.heading)}</h1>
<p>${escapeHtml(input.lead)}</p>
${input.body ? `<blockquote style="border-left:3px solid #cccccc;margin:0;padding-left:12px">${renderMarkdown(input.body, { imagesAsLinks: true })}</blockquote>` : ''}
${button(input.url, input.action)}`,
      frame,
    ),
  };
}
