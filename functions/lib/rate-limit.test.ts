import { describe, expect, it } from 'vitest';
import { canonicalEmail, emailLimitKey } from './rate-limit.ts';

describe('canonicalEmail', () => {
  it.each([
    ['kea@example.org', 'kea@example.org'],
    ['KEA@Example.ORG', 'kea@example.org'],
    ['k.e.a@example.org', 'kea@example.org'],
    ['kea+moot@example.org', 'kea@example.org'],
    ['K.ea+a+b@example.org', 'kea@example.org'],
    ['  kea@example.org ', 'kea@example.org'],
    ['kea@mail.example.org', 'kea@mail.example.org'],
    ['+tag@example.org', '+tag@example.org'],
  ])('counts %j as %j', (address, canonical) => {
    expect(canonicalEmail(address)).toBe(canonical);
  });

  it('keeps the dots of the domain, so different domains never share a limit', () => {
    expect(emailLimitKey('kea@ex.ample.org')).not.toBe(emailLimitKey('kea@example.org'));
  });

  it('gives every spelling of one mailbox one limit key, and holds no address in it', () => {
    const keys = new Set(['kea@example.org', 'K.E.A+x@EXAMPLE.org', 'kea+y@example.org'].map(emailLimitKey));
    expect(keys.size).toBe(1);
    expect([...keys][0]).not.toContain('kea');
  });
});
