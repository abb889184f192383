import { describe, expect, it } from 'vitest';
import { fold, meetingInvite, type MeetingInviteInput } from './ics.ts';

interface Property {
  name: string;
  params: Record<string, string>;
  value: string;
}

/** Just enough RFC 5545 to read our own output: unfold, split name;params:value, unescape TEXT. */
function parse(ics: string): Property[] {
  expect(ics.endsWith('\r\n')).toBe(true);
  expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter(Boolean)
    .map((line) => {
      const match = /^([A-Z-]+)((?:;[A-Z-]+=(?:"[^"]*"|[^;:"]*))*):(.*)$/.exec(line);
      if (!match) throw new Error(`not a content line: ${line}`);
      const params = Object.fromEntries([...match[2]!.matchAll(/;([A-Z-]+)=("[^"]*"|[^;:"]*)/g)].map(([, k, v]) => [k!, v!.replace(/^"|"$/g, '')]));
      return { name: match[1]!, params, value: match[3]! };
    });
}

const unescape = (value: string) => value.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
const one = (props: Property[], name: string) => props.find((p) => p.name === name)!;

const base: MeetingInviteInput = {
  uid: 'poll-123@moot.example',
  title: 'Planning; budget, and more',
  description: 'Line one\nLine two with a backslash \\ and a comma, too',
  start: '2025-03-01T13:00:00Z',
  durationMinutes: 90,
  organizer: { name: 'Ada Lovelace', email: 'ada@example.org' },
  attendees: [
    { name: 'Bob, "the builder"', email: 'bob@example.org' },
    { name: 'Zoë Ünicode', email: 'zoe@example.org' },
  ],
  url: 'https://moot.example/p/123',
  now: new Date('2025-02-20T10:11:12.345Z'),
};

describe('meeting invites', () => {
  it('parses back to a REQUEST with the event, its people and UTC times', () => {
    // Prepare, Act
    const props = parse(meetingInvite(base));

    // Assess
    expect(props.map((p) => p.name)).toEqual([
      'BEGIN', 'VERSION', 'PRODID', 'CALSCALE', 'METHOD', 'BEGIN', 'UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SEQUENCE', 'STATUS',
      'SUMMARY', 'DESCRIPTION', 'URL', 'ORGANIZER', 'ATTENDEE', 'ATTENDEE', 'END', 'END',
    ]);
    expect(one(props, 'PRODID').value).toContain('Moot');
    expect(one(props, 'METHOD').value).toBe('REQUEST');
    expect(one(props, 'VERSION').value).toBe('2.0');
    expect(one(props, 'UID').value).toBe('poll-123@moot.example');
    expect(one(props, 'DTSTAMP').value).toBe('20250220T101112Z');
    expect(one(props, 'DTSTART').value).toBe('20250301T130000Z');
    expect(one(props, 'DTEND').value).toBe('20250301T143000Z');
    expect(unescape(one(props, 'SUMMARY').value)).toBe(base.title);
    expect(unescape(one(props, 'DESCRIPTION').value)).toBe(base.description);
    expect(one(props, 'ORGANIZER')).toEqual({ name: 'ORGANIZER', params: { CN: 'Ada Lovelace' }, value: 'mailto:ada@example.org' });
    const attendees = props.filter((p) => p.name === 'ATTENDEE');
    expect(attendees.map((a) => [a.params['CN'], a.params['RSVP'], a.value])).toEqual([
      ["Bob, 'the builder'", 'TRUE', 'mailto:bob@example.org'],
      ['Zoë Ünicode', 'TRUE', 'mailto:zoe@example.org'],
    ]);
  });

  it('escapes commas, semicolons, backslashes and newlines in text', () => {
    const ics = meetingInvite(base);
    expect(ics).toContain('SUMMARY:Planning\\; budget\\, and more\r\n');
  });

  it('writes an all-day meeting as VALUE=DATE lasting one day', () => {
    // Prepare, Act
    const props = parse(meetingInvite({ ...base, start: '2025-03-01', durationMinutes: undefined }));

    // Assess
    expect(one(props, 'DTSTART')).toMatchObject({ params: { VALUE: 'DATE' }, value: '20250301' });
    expect(one(props, 'DTEND')).toMatchObject({ params: { VALUE: 'DATE' }, value: '20250302' });
  });

  it('converts a start with an offset to UTC and takes an explicit end over the duration', () => {
    const props = parse(meetingInvite({ ...base, start: '2025-03-01T09:00:00-05:00', end: '2025-03-01T10:15:00-05:00' }));
    expect(one(props, 'DTSTART').value).toBe('20250301T140000Z');
    expect(one(props, 'DTEND').value).toBe('20250301T151500Z');
  });

  it('folds long lines at 75 octets without splitting a character', () => {
    // Prepare
    const long = meetingInvite({ ...base, description: 'é'.repeat(200) + ' end' });

    // Act
    const lines = long.split('\r\n');

    // Assess
    for (const line of lines) expect(new TextEncoder().encode(line).length).toBeLessThanOrEqual(75);
    expect(lines.some((l) => l.startsWith(' '))).toBe(true);
    expect(unescape(one(parse(long), 'DESCRIPTION').value)).toBe('é'.repeat(200) + ' end');
    expect(fold('x'.repeat(75))).toBe('x'.repeat(75));
    expect(fold('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('keeps a crafted name or address from adding properties', () => {
    // Prepare
    const ics = meetingInvite({ ...base, title: 'Hi\r\nATTENDEE:mailto:eve@example.org', attendees: [{ name: 'Eve\r\nX', email: 'eve@example.org\r\nMETHOD:CANCEL' }] });

    // Act
    const props = parse(ics);

    // Assess
    expect(props.filter((p) => p.name === 'ATTENDEE')).toHaveLength(1);
    expect(props.filter((p) => p.name === 'METHOD').map((p) => p.value)).toEqual(['REQUEST']);
  });

  it('refuses a meeting that ends before it starts', () => {
    expect(() => meetingInvite({ ...base, end: '2025-03-01T12:00:00Z' })).toThrow(RangeError);
  });
});
