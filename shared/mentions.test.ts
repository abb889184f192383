import { describe, expect, it } from 'vitest';
import { personHandle } from './mentions.ts';

describe('personHandle', () => {
  it.each([
    ['Aroha Te Whare', 'aroha-te-whare'],
    ['  Zoë  Müller-Öz ', 'zoe-muller-oz'],
    ["Seán O'Brien", 'sean-o-brien'],
    ['---', null],
    [null, null],
  ])('turns %j into %j', (name, handle) => {
    expect(personHandle(name)).toBe(handle);
  });
});
