import { emailHash, randomToken, sha256, sixDigitCode } from '../lib/crypto.ts';
import { check, create, put, transact } from '../lib/db.ts';
import { keys, nowSeconds, type SignInCodeItem, type SignInRequestItem } from '../lib/entities.ts';
import { tooManyRequests } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { sendEmail, suppressionKey } from '../lib/mail.ts';
import { emailLimitKey, rateLimitCheck, type RateLimit } from '../lib/rate-limit.ts';
import { signInEmail } from './sign-in-email.ts';

export const SIGN_IN_TTL_SECONDS = 60 * 60;

export const signInLimits = {
  perEmail: { name: 'signin-email', limit: 5, windowSeconds: 15 * 60 },
  perIp: { name: 'signin-ip', limit: 30, windowSeconds: 15 * 60 },
} satisfies Record<string, RateLimit>;

/** The code is stored hashed with its request's token hash, so it is bound to that one request. */
export const codeHash = (tokenHash: string, code: string) => sha256(`code:${tokenHash}:${code}`);

/**
 * POST /api/auth/email. Records the request and both rate-limit counters in one transaction,
 * then emails the link and code. The answer is the same whether or not the address has an account.
 */
export async function requestSignIn(request: ApiRequest<'POST /api/auth/email'>): Promise<ApiReply> {
  const { email } = request.body;
  const token = randomToken();
  const code = sixDigitCode();
  const tokenHash = sha256(token);
  const expiresAt = nowSeconds() + SIGN_IN_TTL_SECONDS;
  const byEmail = rateLimitCheck(signInLimits.perEmail, emailLimitKey(email));
  const byIp = rateLimitCheck(signInLimits.perIp, request.ip);

  const signIn: SignInRequestItem = { ...keys.signInRequest(tokenHash), type: 'signInRequest', email, ip: request.ip, createdAt: new Date().toISOString(), expiresAt };
  const codeItem: SignInCodeItem = { ...keys.signInCode(emailHash(email)), type: 'signInCode', tokenHash, codeHash: codeHash(tokenHash, code), attempts: 0, expiresAt };
  // Whether the address is suppressed (hard bounce, complaint) is learnt in the same round trip: the
  // check is last, so a suppressed address still records the request but is sent nothing.
  const ops = [byEmail.op, byIp.op, create({ ...signIn }), put({ ...codeItem })];
  let codes = await transact([...ops, check(suppressionKey(email), { if: 'attribute_not_exists(pk)' })]);
  const suppressed = codes !== null && codes[4] === 'ConditionalCheckFailed' && codes.slice(0, 4).every((c) => c === 'None');
  if (suppressed) codes = await transact(ops);
  if (codes) {
    const waits = [byEmail.retryAfter, byIp.retryAfter].filter((_, i) => codes[i] === 'ConditionalCheckFailed');
    if (waits.length) throw tooManyRequests(Math.max(...waits), 'Too many sign-in emails. Wait a few minutes, then try again.');
    throw new Error(`Sign-in request was not recorded: ${codes.join(',')}`);
  }

  if (!suppressed) await sendEmail(signInEmail(email, token, code), { suppressionChecked: true });
  return { body: { message: 'Check your email for a sign-in link and code.' } };
}
