import { emailHash, newId, randomToken, sha256 } from './crypto.ts';
import { check, create, get, patch, transact, type CancellationCodes } from './db.ts';
import { keys, nowSeconds, type SessionItem, type UserEmailItem, type UserItem } from './entities.ts';
import { recordEvent } from './events.ts';
import type { ApiRequest } from './http.ts';
import { countMetric } from './metrics.ts';
import { SESSION_LIFETIME_SECONDS, sessionCookie } from './session.ts';

type Op = Parameters<typeof transact>[0][number];

export interface Account {
  userId: string;
  email: string;
  name: string | null;
  isNewUser: boolean;
}

/** How a session was opened; a session opened by email proof may set a password without the current one. */
export type SignInMethod = 'link' | 'code' | 'invitation' | 'password';

export type SignInResult =
  | { ok: true; account: Account; cookie: string }
  | { ok: false; codes: CancellationCodes; proofOps: number };

/**
 * Signs a person in on the strength of a proof (a sign-in link or code, an invitation, a password):
 * creates the user on first sign-in and opens a session, in ONE transaction with the proof's own
 * writes (`proofOps`, which spend the proof) and any further writes that need the user id
 * (`extraOps`, e.g. a membership). Of any number of parallel attempts with one proof, one wins.
 */
export async function signInWithProof(
  request: Pick<ApiRequest, 'ip' | 'userAgent'>,
  email: string,
  method: SignInMethod,
  proofOps: Op[],
  extraOps: (account: Account) => Op[] = () => [],
): Promise<SignInResult> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const hash = emailHash(email);
    const known = await get<UserEmailItem>(keys.userEmail(hash));
    const existing = known ? await get<UserItem>(keys.user(known.userId)) : null;
    const account: Account = { userId: existing?.userId ?? newId(), email, name: existing?.name ?? null, isNewUser: !existing };
    const now = new Date().toISOString();
    const sessionId = randomToken();
    const sessionHash = sha256(sessionId);
    const meta = { actorId: account.userId, ip: request.ip };
    const session: SessionItem = {
      ...keys.session(account.userId, sessionHash),
      type: 'session',
      userId: account.userId,
      sessionHash,
      email,
      name: existing?.name,
      ip: request.ip,
      userAgent: request.userAgent,
      method,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: nowSeconds() + SESSION_LIFETIME_SECONDS,
    };
    const newUserOps = account.isNewUser
      ? [
          create({ ...keys.userEmail(hash), type: 'userEmail', userId: account.userId } satisfies UserEmailItem),
          create({ ...keys.user(account.userId), type: 'user', userId: account.userId, email, createdAt: now, updatedAt: now } satisfies UserItem),
          recordEvent({ kind: 'UserSignedUp', userId: account.userId }, meta),
        ]
      : [
          // A deleted account never signs in again; a deactivated one comes back by signing in.
          ...(existing?.deactivatedAt
            ? [
                patch(keys.user(account.userId), { remove: ['deactivatedAt'] }, { if: 'attribute_not_exists(#deletedAt)' }),
                recordEvent({ kind: 'AccountReactivated', userId: account.userId }, meta),
              ]
            : [check(keys.user(account.userId), { if: 'attribute_not_exists(#deletedAt)' })]),
        ];
    const codes = await transact([
      ...proofOps,
      ...newUserOps,
      create({ ...session }),
      recordEvent({ kind: 'UserSignedIn', userId: account.userId, method: method === 'invitation' ? 'link' : method }, meta),
      ...extraOps(account),
    ]);
    if (!codes) {
      countMetric('SignIn', { method });
      return { ok: true, account, cookie: sessionCookie(account.userId, sessionId) };
    }
    // Another device created this account a moment ago: read it and try once more.
    const accountRaced = account.isNewUser && codes[proofOps.length] === 'ConditionalCheckFailed' && codes.slice(0, proofOps.length).every((c) => c === 'None');
    if (!accountRaced || attempt > 0) return { ok: false, codes, proofOps: proofOps.length };
  }
  throw new Error('unreachable');
}
