export interface InvitePerson {
  name: string;
  email: string;
}

export interface MeetingInviteInput {
  /** Stable across updates of the same meeting, so calendars replace rather than duplicate. */
  uid: string;
  title: string;
  description: string;
  /** A day (`2025-03-01`) or an ISO date-time with a zone: a meeting option as stored. */
  start: string;
  /** Exclusive end: a day for all-day events, a date-time otherwise. Wins over `durationMinutes`. */
  end?: string;
  /** Length of a timed event when `end` is absent; default 60. All-day events last one day. */
  durationMinutes?: number;
  /** Default: true when `start` is a day without a time. */
  allDay?: boolean;
  organizer: InvitePerson;
  attendees: InvitePerson[];
  url: string;
  /** When the invite is made (DTSTAMP); passed in because this library reads no clock. */
  now: Date | string;
  /** Bumped when a sent invite changes. Default 0. */
  sequence?: number;
}

const CRLF = '\r\n';

/**
 * An RFC 5545 meeting request (METHOD:REQUEST) with one event: CRLF line endings, lines
 * folded at 75 octets without splitting a UTF-8 character, TEXT values escaped, DTSTAMP
 * and timed events in UTC, all-day events as VALUE=DATE.
 */
export function meetingInvite(input: MeetingInviteInput): string {
  const allDay = input.allDay ?? /^\d{4}-\d{2}-\d{2}$/.test(input.start);
  const start = new Date(allDay ? `${input.start.slice(0, 10)}T00:00:00Z` : input.start);
  if (Number.isNaN(start.getTime())) throw new RangeError(`start is not a date: ${input.start}`);
  let end: Date;
  if (input.end) end = new Date(allDay ? `${input.end.slice(0, 10)}T00:00:00Z` : input.end);
  else if (allDay) end = new Date(start.getTime() + 24 * 60 * 60 * 1000);
  else end = new Date(start.getTime() + (input.durationMinutes ?? 60) * 60 * 1000);
  if (Number.isNaN(end.getTime()) || end <= start) throw new RangeError('the end of a meeting comes after its start');

  const when = (name: string, date: Date) => (allDay ? `${name};VALUE=DATE:${icsDate(date)}` : `${name}:${icsDateTime(date)}`);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Moot//Moot polls//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${escapeText(input.uid)}`,
    `DTSTAMP:${icsDateTime(new Date(input.now))}`,
    when('DTSTART', start),
    when('DTEND', end),
    `SEQUENCE:${input.sequence ?? 0}`,
    'STATUS:CONFIRMED',
    `SUMMARY:${escapeText(input.title)}`,
    `DESCRIPTION:${escapeText(input.description)}`,
    `URL:${stripControls(input.url)}`,
    `ORGANIZER;CN=${paramValue(input.organizer.name)}:mailto:${mailbox(input.organizer.email)}`,
    ...input.attendees.map(
      (a) => `ATTENDEE;CN=${paramValue(a.name)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${mailbox(a.email)}`,
    ),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(fold).join(CRLF) + CRLF;
}

const pad = (n: number) => String(n).padStart(2, '0');
const icsDate = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const icsDateTime = (d: Date) => `${icsDate(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;

const stripControls = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '');

/** RFC 5545 §3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT. */
export function escapeText(s: string): string {
  return stripControls(s.replace(/\r\n|\r|\n/g, '\n').replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n'));
}

// A parameter value is always quoted; a quoted value may not hold DQUOTE (RFC 5545 §3.1).
const paramValue = (s: string) => `"${stripControls(s).replace(/"/g, "'")}"`;
const mailbox = (s: string) => stripControls(s).replace(/[\s:;,"]/g, '');

/** Folds a content line to at most 75 octets per line; continuation lines start with a space. */
export function fold(line: string): string {
  const encoder = new TextEncoder();
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = encoder.encode(char).length;
    const limit = parts.length === 0 ? 75 : 74; // continuation lines spend one octet on the space
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}
