import { describe, expect, it } from 'vitest';
import { routes, splitRouteKey } from './routes.ts';

describe('the route table', () => {
  it('names a path variable the same way wherever two routes share the path before it', () => {
    // API Gateway treats /a/{x} and /a/{y} as one resource; differing names make routes conflict.
    const seen = new Map<string, string>();
    for (const key of Object.keys(routes)) {
      const segments = splitRouteKey(key).path.split('/');
      segments.forEach((segment, i) => {
        if (!segment.startsWith('{')) return;
        const prefix = segments.slice(0, i).join('/');
        const name = seen.get(prefix) ?? segment;
        seen.set(prefix, name);
        expect(segment, `${key}: ${prefix}/${segment} vs ${prefix}/${name}`).toBe(name);
      });
    }
  });

  it('declares every route under /api, or a well-known address (RFC 8615), with a known method', () => {
    for (const key of Object.keys(routes)) {
      const { method, path } = splitRouteKey(key);
      expect(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).toContain(method);
      expect(path.startsWith('/api/') || path.startsWith('/.well-known/')).toBe(true);
    }
  });
});
