import { signInWithProof } from '../lib/accounts.ts';
import { emailHash, safeEqual, sha256 } from '../lib/crypto.ts';
import { ConditionFailed, get, patch, remove, updateItem } from '../lib/db.ts';
import { keys, nowSeconds, type SignInCodeItem, type SignInRequestItem } from '../lib/entities.ts';
import { AppError } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { clearGuesses, spendGuess } from './guesses.ts';
import { codeHash } from './request-sign-in.ts';

export const MAX_CODE_ATTEMPTS = 5;

const invalidToken = () =>
  new AppError(401, 'invalid_token', 'This sign-in link has expired or was already used. Ask for a new one.');
const invalidCode = (message = 'That code has expired or was already used. Ask for a new one.') =>
  new AppError(401, 'invalid_code', message);

/** POST /api/auth/token: the emailed link's token, or the email address and its code. */
export async function redeemSignIn(request: ApiRequest<'POST /api/auth/token'>): Promise<ApiReply> {
  const body = request.body;
  if ('token' in body) {
    const tokenHash = sha256(body.token);
    const signIn = await get<SignInRequestItem>(keys.signInRequest(tokenHash));
    if (!signIn || signIn.usedAt || signIn.expiresAt <= nowSeconds()) throw invalidToken();
    return completeSignIn(request, signIn.email, tokenHash, 'link');
  }

  const hash = emailHash(body.email);
  // Count the guess before comparing, so parallel guesses cannot exceed either limit: the
  // address's across every request it made, then this one code's.
  await spendGuess(body.email);
  const stored = await updateItem<SignInCodeItem>(
    patch(keys.signInCode(hash), { add: { attempts: 1 } }, {
      if: '#attempts < :most AND #expiresAt > :now',
      values: { ':most': MAX_CODE_ATTEMPTS, ':now': nowSeconds() },
    }),
  ).catch((error: unknown) => {
    if (error instanceof ConditionFailed) throw invalidCode();
    throw error;
  });
  if (!stored.codeHash || !stored.tokenHash || !safeEqual(stored.codeHash, codeHash(stored.tokenHash, body.code))) {
    const left = MAX_CODE_ATTEMPTS - (stored.attempts ?? MAX_CODE_ATTEMPTS);
    throw left > 0
      ? invalidCode(`That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`)
      : invalidCode('That code is not right, and it has now been used too many times. Ask for a new one.');
  }
  return completeSignIn(request, body.email, stored.tokenHash, 'code');
}

/**
 * Spends the sign-in request (and for a code, the code) in the same transaction that opens the
 * session: of any number of parallel redemptions exactly one succeeds.
 */
async function completeSignIn(request: ApiRequest, email: string, tokenHash: string, method: 'link' | 'code'): Promise<ApiReply> {
  const now = new Date().toISOString();
  const result = await signInWithProof(request, email, method, [
    patch(keys.signInRequest(tokenHash), { set: { usedAt: now } }, {
      if: 'attribute_not_exists(#usedAt) AND #expiresAt > :now',
      values: { ':now': nowSeconds() },
    }),
    // The code and the link are one sign-in: using either retires the code.
    ...(method === 'code' ? [remove(keys.signInCode(emailHash(email)))] : []),
    clearGuesses(email),
  ]);
  if (!result.ok) {
    if (result.codes.slice(0, result.proofOps).includes('ConditionalCheckFailed')) throw method === 'link' ? invalidToken() : invalidCode();
    throw new Error(`Sign-in was not completed: ${result.codes.join(',')}`);
  }
  const { account } = result;
  return {
    cookies: [result.cookie],
    body: { user: { id: account.userId, email: account.email, name: account.name }, isNewUser: account.isNewUser },
  };
}
