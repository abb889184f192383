import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../schemas/account.ts';
import { commonPasswordList } from './common-10k.ts';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

let common: Set<string> | undefined;

/** One of the 10,000 most common passwords (the list is lower case, so the check is too). */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(commonPasswordList.split('\n'));
  return common.has(password.toLowerCase());
}

/** Why a new password is refused, in words for the person choosing it; null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (isCommonPassword(password)) return 'This is one of the 10,000 most common passwords, so it is among the first anyone would guess. Choose another.';
  return null;
}
