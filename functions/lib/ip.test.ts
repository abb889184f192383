import { describe, expect, it } from 'vitest';
import { maskIp } from './ip.ts';

describe('maskIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['10.1.2.3', '10.1.2.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:abcd:12:34:56:78:9a', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['fe80::1%eth0', 'fe80:0:0::/48'],
    ['', 'unknown'],
    ['not an ip', 'unknown'],
    [undefined, 'unknown'],
  ])('masks %s to %s', (raw, masked) => {
    expect(maskIp(raw)).toBe(masked);
  });

  it('never returns the full address for any IPv4 input', () => {
    for (let i = 0; i < 256; i++) expect(maskIp(`192.0.2.${i}`)).toBe('192.0.2.0/24');
  });
});
