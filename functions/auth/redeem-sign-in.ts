import { emailHash, newId, randomToken, safeEqual, sha256 } from '../lib/crypto.ts';
import { ConditionFailed, create, failed, get, patch, remove, transact, updateItem } from '../lib/db.ts';
import { keys, nowSeconds, type SessionItem, type SignInCodeItem, type SignInRequestItem, type UserEmailItem, type UserItem } from '../lib/entities.ts';
import { AppError } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { SESSION_LIFETIME_SECONDS, sessionCookie } from '../lib/session.ts';
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
    return completeSignIn(request, { email: signIn.email, tokenHash, method: 'link' });
  }

  const hash = emailHash(body.email);
  // Count the attempt before comparing, so parallel guesses cannot exceed the limit.
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
  return completeSignIn(request, { email: body.email, tokenHash: stored.tokenHash, method: 'code', emailHash: hash });
}

interface Proof {
  email: string;
  tokenHash: string;
  method: 'link' | 'code';
  emailHash?: string;
}

/**
 * Marks the sign-in request used, creates the user on first sign-in, and opens a session, in one
 * transaction: of any number of parallel redemptions exactly one succeeds.
 */
async function completeSignIn(request: ApiRequest, proof: Proof, retried = false): Promise<ApiReply> {
  const hash = emailHash(proof.email);
  const account = await get<UserEmailItem>(keys.userEmail(hash));
  const existing = account ? await get<UserItem>(keys.user(account.userId)) : null;
  const isNewUser = !existing;
  const userId = existing?.userId ?? newId();
  const now = new Date().toISOString();
  const sessionId = randomToken();
  const sessionHash = sha256(sessionId);
  const meta = { actorId: userId, ip: request.ip };
  const session: SessionItem = {
    ...keys.session(userId, sessionHash),
    type: 'session',
    userId,
    sessionHash,
    email: proof.email,
    name: existing?.name,
    ip: request.ip,
    userAgent: request.userAgent,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: nowSeconds() + SESSION_LIFETIME_SECONDS,
  };

  const codes = await transact([
    patch(keys.signInRequest(proof.tokenHash), { set: { usedAt: now } }, {
      if: 'attribute_not_exists(#usedAt) AND #expiresAt > :now',
      values: { ':now': nowSeconds() },
    }),
    create({ ...session }),
    recordEvent({ kind: 'UserSignedIn', userId, method: proof.method }, meta),
    ...(isNewUser
      ? [
          create({ ...keys.userEmail(hash), type: 'userEmail', userId } satisfies UserEmailItem),
          create({ ...keys.user(userId), type: 'user', userId, email: proof.email, createdAt: now, updatedAt: now } satisfies UserItem),
          recordEvent({ kind: 'UserSignedUp', userId }, meta),
        ]
      : []),
    // The code and the link are one sign-in: using either retires the code.
    ...(proof.method === 'code' ? [remove(keys.signInCode(hash))] : []),
  ]);

  if (codes) {
    if (failed(codes, 0)) throw proof.method === 'link' ? invalidToken() : invalidCode();
    // Someone else created this account a moment ago (another device's first sign-in): use it.
    if (isNewUser && failed(codes, 3) && !retried) return completeSignIn(request, proof, true);
    throw new Error(`Sign-in was not completed: ${codes.join(',')}`);
  }

  return {
    cookies: [sessionCookie(userId, sessionId)],
    body: { user: { id: userId, email: proof.email, name: existing?.name ?? null }, isNewUser },
  };
}
