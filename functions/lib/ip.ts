import { isIPv4, isIPv6 } from 'node:net';

/**
 * Masks an address before anything stores it: IPv4 to its /24, IPv6 to its /48.
 * An IPv4-mapped IPv6 address is treated as the IPv4 address it carries.
 * Anything that is not an IP address becomes 'unknown', so garbage is never stored verbatim.
 */
export function maskIp(raw: string | undefined | null): string {
  const ip = (raw ?? '').trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return maskIp(mapped[1]);
  if (isIPv4(ip)) {
    const [a, b, c] = ip.split('.');
    return `${a}.${b}.${c}.0/24`;
  }
  if (isIPv6(ip)) {
    const groups = expandIpv6(ip.split('%')[0] ?? ip);
    return `${groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
  }
  return 'unknown';
}

function expandIpv6(ip: string): string[] {
  const [head = '', tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A trailing embedded IPv4 (::ffff:1.2.3.4 style) counts as two groups; only the first three matter here.
  const missing = 8 - left.length - right.length;
  return [...left, ...Array.from({ length: Math.max(0, missing) }, () => '0'), ...right].map((g) => g.toLowerCase());
}
