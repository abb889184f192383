import { describe, expect, it } from 'vitest';
import { parseOneClickBody } from './one-click.ts';

const status = (type: string, body: string) => {
  try {
    parseOneClickBody(type, body);
    return 'accepted';
  } catch (error) {
    return (error as { status: number }).status;
  }
};

const multipart = (boundary: string, parts: Array<[string, string]>, crlf = '\r\n') =>
  `${parts.map(([name, value]) => `--${boundary}${crlf}Content-Disposition: form-data; name="${name}"${crlf}${crlf}${value}${crlf}`).join('')}--${boundary}--${crlf}`;

describe('the one-click unsubscribe body (RFC 8058)', () => {
  it.each([
    ['application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click'],
    ['application/x-www-form-urlencoded; charset=utf-8', 'List-Unsubscribe=One-Click\r\n'],
    ['multipart/form-data; boundary=xyz', multipart('xyz', [['List-Unsubscribe', 'One-Click']])],
    ['multipart/form-data; boundary="quoted boundary"', multipart('quoted boundary', [['List-Unsubscribe', 'One-Click']])],
    ['Multipart/Form-Data; boundary=----abc', multipart('----abc', [['List-Unsubscribe', 'One-Click']], '\n')],
  ])('accepts what a mail client sends as %s', (type, body) => {
    expect(status(type, body)).toBe('accepted');
  });

  it.each([
    ['application/x-www-form-urlencoded', 'List-Unsubscribe=All'],
    ['application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click&also=this'],
    ['application/x-www-form-urlencoded', 'list-unsubscribe=one-click'],
    ['application/x-www-form-urlencoded', ''],
    ['application/x-www-form-urlencoded', `List-Unsubscribe=One-Click${'&x'.repeat(5000)}`],
    ['multipart/form-data; boundary=xyz', multipart('xyz', [['List-Unsubscribe', 'One-Click'], ['other', '1']])],
    ['multipart/form-data; boundary=xyz', multipart('xyz', [['Other', 'One-Click']])],
    ['multipart/form-data; boundary=xyz', multipart('xyz', [['List-Unsubscribe', 'One-Click']]).slice(0, -9)],
    ['multipart/form-data; boundary=xyz', '--xyz\r\n\u0000\u0001\u00ff binary\r\n--xyz--'],
    ['multipart/form-data', multipart('xyz', [['List-Unsubscribe', 'One-Click']])],
    ['multipart/form-data; boundary=' + 'b'.repeat(71), multipart('b'.repeat(71), [['List-Unsubscribe', 'One-Click']])],
    ['multipart/form-data; boundary=xyz', multipart('xyz', [['List-Unsubscribe', 'One-Click\u202e']])],
  ])('refuses %s with %j as not one-click (422)', (type, body) => {
    expect(status(type, body)).toBe(422);
  });

  it.each([['application/json'], ['text/plain'], [''], ['application/x-www-form-urlencodedX']])('refuses the media type %j (415)', (type) => {
    expect(status(type, 'List-Unsubscribe=One-Click')).toBe(415);
  });
});
