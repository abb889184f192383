import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { composeMime } from '../lib/mail.ts';
import { nextDigestAt } from './schedule.ts';
import { suppressionsFrom } from './ses-events-handler.ts';

process.env.SIGNING_SECRET ??= 'unit-test-signing-secret';
const { readUnsubscribeToken, unsubscribeToken } = await import('./unsubscribe-token.ts');

const local = (at: number | null, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(at!));

describe('raw MIME', () => {
  it('has a text and an HTML part, an encoded subject and the one-click unsubscribe headers, and parses back', async () => {
    const raw = composeMime({ to: 'ana@example.org', subject: 'Ünïcode <subject>', text: 'Hello ✓ '.repeat(40), html: '<p>Hello ✓</p>', headers: { 'List-Unsubscribe': '<https://moot.example/api/unsubscribe?token=a.b>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('Ünïcode <subject>');
    expect(parsed.text?.trim()).toBe('Hello ✓ '.repeat(40).trim());
    expect(parsed.html).toBe('<p>Hello ✓</p>');
    expect(parsed.headerLines.map((h) => h.line)).toEqual(expect.arrayContaining(['List-Unsubscribe: <https://moot.example/api/unsubscribe?token=a.b>', 'List-Unsubscribe-Post: List-Unsubscribe=One-Click']));
    expect(raw.toString().split('\r\n').every((line) => line.length <= 998)).toBe(true);
  });

  it('carries attachments in a multipart/mixed after the text and HTML', async () => {
    const ics = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
    const parsed = await simpleParser(composeMime({ to: 'a@example.org', subject: 'Outcome', text: 'See the invite', html: '<p>See the invite</p>', attachments: [{ filename: 'meeting.ics', contentType: 'text/calendar; method=REQUEST', content: ics }] }));
    expect(parsed.text?.trim()).toBe('See the invite');
    expect(parsed.html).toBe('<p>See the invite</p>');
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['meeting.ics', 'text/calendar', ics]]);
  });

  it('never lets a value inject a header: a subject is encoded, an address with a line break refused', async () => {
    const parsed = await simpleParser(composeMime({ to: 'a@example.org', subject: 'Hi\r\nBcc: b@example.org', text: 't', html: 'h' }));
    expect(parsed.bcc).toBeUndefined();
    expect(() => composeMime({ to: 'a@example.org\r\nBcc: b@example.org', subject: 'Hi', text: 't', html: 'h' })).toThrow();
  });
});

describe('digest schedule', () => {
  const monday = Date.parse('2026-03-02T12:00:00Z');
  it.each([
    ['daily', 'Europe/Berlin', undefined, 'Tue, 03/03/2026, 06:00'],
    ['daily', 'Pacific/Auckland', undefined, 'Tue, 03/03/2026, 06:00'],
    ['weekly', 'America/New_York', 5, 'Fri, 06/03/2026, 06:00'],
    ['every_other_day', 'UTC', undefined, 'Tue, 03/03/2026, 06:00'],
  ] as const)('%s in %s lands at 06:00 local', (frequency, zone, weekday, expected) => {
    expect(local(nextDigestAt(frequency, zone, monday, weekday), zone)).toBe(expected);
  });

  it('spaces every other day from the last digest, keeps 06:00 across a DST change, and never schedules never', () => {
    const last = Date.parse('2026-03-02T06:00:00Z');
    expect(local(nextDigestAt('every_other_day', 'UTC', monday, 1, last), 'UTC')).toBe('Wed, 04/03/2026, 06:00');
    // Berlin moves to summer time on 29 March 2026.
    expect(local(nextDigestAt('daily', 'Europe/Berlin', Date.parse('2026-03-29T00:30:00Z')), 'Europe/Berlin')).toBe('Sun, 29/03/2026, 06:00');
    expect(nextDigestAt('never', 'UTC', monday)).toBeNull();
  });
});

describe('unsubscribe tokens', () => {
  it('name one person and one category and refuse any change', async () => {
    const token = await unsubscribeToken('user-1', 'polls');
    expect(await readUnsubscribeToken(token)).toEqual({ userId: 'user-1', category: 'polls' });
    const [payload, signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ u: 'user-2', c: 'polls' })).toString('base64url');
    for (const bad of [`${forged}.${signature}`, `${payload}.${signature}x`, `${payload}`, `${token}.x`]) {
      await expect(readUnsubscribeToken(bad)).rejects.toMatchObject({ status: 400 });
    }
  });
});

describe('SES feedback', () => {
  const bounced = (bounceType: string) => ({ eventType: 'Bounce', bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'Ana@Example.org' }] } }) as never;
  it('suppresses hard bounces and complaints by address hash, and ignores soft bounces and other events', () => {
    const [hard] = suppressionsFrom(bounced('Permanent'));
    expect(hard).toMatchObject({ type: 'suppression', reason: 'bounce', detail: 'General' });
    expect(hard!.pk).toMatch(/^suppressed#/);
    expect(JSON.stringify(hard)).not.toContain('Example.org');
    expect(suppressionsFrom(bounced('Transient'))).toEqual([]);
    expect(suppressionsFrom({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'ana@example.org' }] } })[0]).toMatchObject({ reason: 'complaint', pk: hard!.pk });
    expect(suppressionsFrom({ eventType: 'Delivery' })).toEqual([]);
  });
});
