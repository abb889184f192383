import { emailHash, newId, randomToken, safeEqual, sha256 } from '../lib/crypto.ts';
import { User, UserEmail, nowSeconds } from '../lib/entities.ts';
import { AppError } from '../lib/errors.ts';
import { eventRecord } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { SESSION_LIFETIME_SECONDS, sessionCookie } from '../lib/session.ts';
import { failed, transactWrite } from '../lib/transact.ts';
import { codeHash } from './request-sign-in.ts';
import { SignInCode, SignInRequest, authService } from './store.ts';

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
    const { data } = await SignInRequest.get({ tokenHash }).go({ consistent: true });
    if (!data || data.usedAt || data.expiresAt <= nowSeconds()) throw invalidToken();
    return completeSignIn(request, { email: data.email, tokenHash, method: 'link' });
  }

  const hash = emailHash(body.email);
  // Count the attempt before comparing, so parallel guesses cannot exceed the limit.
  const attempt = await SignInCode.patch({ emailHash: hash })
    .add({ attempts: 1 })
    .where(({ attempts, expiresAt }, { lt, gt }) => `${lt(attempts, MAX_CODE_ATTEMPTS)} AND ${gt(expiresAt, nowSeconds())}`)
    .go({ response: 'all_new' })
    .catch((error: unknown) => {
      if (isConditionalFailure(error)) throw invalidCode();
      throw error;
    });
  const stored = attempt.data;
  if (!stored.codeHash || !stored.tokenHash || !safeEqual(stored.codeHash, codeHash(stored.tokenHash, body.code))) {
    const left = MAX_CODE_ATTEMPTS - (stored.attempts ?? MAX_CODE_ATTEMPTS);
    throw left > 0
      ? invalidCode(`That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`)
      : invalidCode('That code is not right, and it has now been used too many times. Ask for a new one.');
  }
  return completeSignIn(request, { email: body.email, tokenHash: stored.tokenHash, method: 'code', emailHash: hash });
}

function isConditionalFailure(error: unknown): boolean {
  const text = `${(error as Error)?.name ?? ''} ${(error as Error)?.message ?? ''} ${String((error as { cause?: { name?: string } })?.cause?.name ?? '')}`;
  return /ConditionalCheckFailed|conditional request failed/i.test(text);
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
  const account = await UserEmail.get({ emailHash: hash }).go({ consistent: true });
  const existing = account.data ? (await User.get({ userId: account.data.userId }).go({ consistent: true })).data : null;
  const isNewUser = !existing;
  const userId = existing?.userId ?? newId();
  const now = new Date().toISOString();
  const sessionId = randomToken();
  const meta = { actorId: userId, ip: request.ip };

  const codes = await transactWrite(authService, ({ SignInRequest, SignInCode, Session, User, UserEmail, EventItem }) => [
    SignInRequest.patch({ tokenHash: proof.tokenHash })
      .set({ usedAt: now })
      .where(({ usedAt, expiresAt }, { notExists, gt }) => `${notExists(usedAt)} AND ${gt(expiresAt, nowSeconds())}`)
      .commit(),
    Session.create({
      userId,
      sessionHash: sha256(sessionId),
      email: proof.email,
      name: existing?.name,
      ip: request.ip,
      userAgent: request.userAgent,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: nowSeconds() + SESSION_LIFETIME_SECONDS,
    }).commit(),
    eventRecord(EventItem, { kind: 'UserSignedIn', userId, method: proof.method }, meta),
    ...(isNewUser
      ? [
          UserEmail.create({ emailHash: hash, userId }).commit(),
          User.create({ userId, email: proof.email, createdAt: now, updatedAt: now }).commit(),
          eventRecord(EventItem, { kind: 'UserSignedUp', userId }, meta),
        ]
      : []),
    // The code and the link are one sign-in: using either retires the code.
    ...(proof.method === 'code' ? [SignInCode.delete({ emailHash: hash }).commit()] : []),
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
