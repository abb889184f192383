import { signInWithProof } from '../lib/accounts.ts';
import { emailHash } from '../lib/crypto.ts';
import { check, get, put, transact } from '../lib/db.ts';
import { keys, type UserEmailItem } from '../lib/entities.ts';
import { AppError, tooManyRequests } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { rateLimitCheck, type RateLimit } from '../lib/rate-limit.ts';
import { clearGuesses, spendGuess } from './guesses.ts';
import { compareWithDecoy, hashPassword, needsRehash, passwordKeys, verifyPassword, type PasswordItem } from './passwords.ts';

/** Per address, the guesses count (`guesses.ts`) is the limit: far tighter than any window here. */
export const passwordSignInLimits = {
  perIp: { name: 'pwsignin-ip', limit: 50, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimit>;

/**
 * One answer for every refusal: unknown address, no password, wrong password, locked. Telling
 * them apart would tell a stranger which addresses have accounts, and which have passwords.
 */
export const passwordRefused = () =>
  new AppError(401, 'sign_in_failed', 'That email and password did not work. Check them, or sign in with an email link instead.');

/**
 * POST /api/auth/password. The per-IP counter comes first, then the guess is counted against the
 * address (before any comparison, so parallel guesses cannot pass the pause), then the password is
 * compared in constant time, and only then is a session opened, in the same transaction that
 * checks the password is still the one compared and clears the count.
 */
export async function signInWithPassword(request: ApiRequest<'POST /api/auth/password'>): Promise<ApiReply> {
  const { email, password } = request.body;
  const hash = emailHash(email);
  const byIp = rateLimitCheck(passwordSignInLimits.perIp, request.ip);
  const limited = await transact([byIp.op]);
  if (limited?.[0] === 'ConditionalCheckFailed') throw tooManyRequests(byIp.retryAfter, 'Too many sign-in attempts. Wait a few minutes, then try again.');
  if (limited) throw new Error(`Password sign-in was not counted: ${limited.join(',')}`);

  await spendGuess(email);

  const account = await get<UserEmailItem>(keys.userEmail(hash));
  const stored = account ? await get<PasswordItem>(passwordKeys.password(account.userId)) : null;
  const matches = stored ? await verifyPassword(password, stored) : await compareWithDecoy(password);
  if (!stored || !matches) throw passwordRefused();

  // Still the password just compared (not changed or removed meanwhile); a hash made with older
  // parameters is replaced by one made with today's in the same write.
  const unchanged = { if: '#hash = :compared', values: { ':compared': stored.hash } };
  const proof = needsRehash(stored)
    ? put({ ...stored, ...(await hashPassword(password)) }, unchanged)
    : check(passwordKeys.password(stored.userId), unchanged);
  const result = await signInWithProof(request, email, 'password', [proof, clearGuesses(email)]);
  // A deleted account (its erasure under way) or a password changed meanwhile: refused alike.
  if (!result.ok) throw passwordRefused();
  return {
    cookies: [result.cookie],
    body: { user: { id: result.account.userId, email: result.account.email, name: result.account.name }, isNewUser: false },
  };
}
