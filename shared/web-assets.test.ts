import { describe, expect, it } from 'vitest';
import { isAssetPath } from './web-assets.ts';

describe('isAssetPath', () => {
  it.each([
    ['/_app/immutable/entry/start.abc123.js', true],
    ['/favicon.svg', true],
    ['/index.html', true],
    ['/d/AbCdEfGhIjKlMnOpQrStUv.WxYz0123456789abcdEF', false],
    ['/polls/g.p', false],
    ['/g/river-co-op', false],
    ['/', false],
  ])('%s is a file of the built app: %s', (path, asset) => {
    expect(isAssetPath(path)).toBe(asset);
  });
});
