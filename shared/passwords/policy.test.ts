import { describe, expect, it } from 'vitest';
import { commonPasswordsFromPackage } from '../../scripts/common-passwords.ts';
import { commonPasswordList } from './common-10k.ts';
import { isCommonPassword, passwordProblem } from './policy.ts';

describe('the common-password list', () => {
  it('is what `node scripts/common-passwords.ts` makes from the installed @zxcvbn-ts/language-common', () => {
    expect(commonPasswordList.split('\n')).toEqual(commonPasswordsFromPackage());
  });
});

describe('password rules', () => {
  it.each([
    ['short', /at least 8/],
    ['1234567', /at least 8/],
    ['password', /most common/],
    ['Password', /most common/],
    ['iloveyou', /most common/],
    ['1qaz2wsx', /most common/],
    ['x'.repeat(257), /at most 256/],
  ])('refuses %j', (password, reason) => {
    expect(passwordProblem(password)).toMatch(reason);
  });

  it.each([['correct horse battery'], ['Tūī-sing-at-dawn'], ['8 chars!']])('accepts %j', (password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it('counts characters, not UTF-16 units, toward the minimum', () => {
    expect(passwordProblem('ā'.repeat(8))).toBeNull();
    expect(passwordProblem('😀😀😀😀')).toMatch(/at least 8/);
  });

  it('knows entries from the end of the top 10,000, not only the top', () => {
    expect(isCommonPassword('23021984')).toBe(true);
  });
});
