import { scryptSync, randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { api, latestSignIn, mailTo, rawTable, scanTable, sessionCookieFrom, signIn, uniqueEmail } from '../../scripts/test-support/api.ts';
import { emailLimitKey } from '../lib/rate-limit.ts';
import { MAX_GUESSES } from './guesses.ts';
import { SCRYPT } from './passwords.ts';

const viewer = (ip: string) => ({ 'cloudfront-viewer-address': ip });
let ipCounter = 0;
/** A fresh /24 per call (unless a test reuses one), so one test's per-IP count never trips another. */
const freshIp = () => `10.${(++ipCounter >> 8) & 255}.${ipCounter & 255}.7:443`;
const refusal = 'That email and password did not work. Check them, or sign in with an email link instead.';
const goodPassword = 'kererū on the clothesline';

/** Limits count in fixed windows; a test that fills one waits rather than straddle a window's end. */
async function awayFromWindowEdge(windowSeconds = 15 * 60, marginSeconds = 45) {
  const intoWindow = (Date.now() / 1000) % windowSeconds;
  if (intoWindow > windowSeconds - marginSeconds) await new Promise((r) => setTimeout(r, (windowSeconds - intoWindow + 1) * 1000));
}

async function withPassword(password = goodPassword) {
  const person = await signIn();
  const set = await api('PUT', '/api/me/password', { cookie: person.cookie, body: { password } });
  expect(set.status).toBe(200);
  return person;
}

const passwordSignIn = (email: string, password: string, ip = freshIp()) =>
  api('POST', '/api/auth/password', { body: { email, password }, headers: viewer(ip) });

const attemptsOf = async (email: string) =>
  (await scanTable()).find((i) => i.pk === `guesses#${emailLimitKey(email)}`)?.attempts as number | undefined;

describe('setting a password', () => {
  it.each([
    ['short1', /at least 8 characters/],
    ['password', /10,000 most common/],
    ['Sunshine', /10,000 most common/],
    ['12345678', /10,000 most common/],
  ])('refuses %j with 422 naming password and saying why', async (password, reason) => {
    const person = await signIn();
    const response = await api('PUT', '/api/me/password', { cookie: person.cookie, body: { password } });
    expect(response.status).toBe(422);
    expect(response.body.error.fields.password).toMatch(reason);
  });

  it('refuses a missing or overlong password with 422, and answers 401 without a session', async () => {
    const person = await signIn();
    expect((await api('PUT', '/api/me/password', { cookie: person.cookie, body: {} })).body.error.fields).toHaveProperty('password');
    expect((await api('PUT', '/api/me/password', { cookie: person.cookie, body: { password: 'x'.repeat(257) } })).body.error.fields).toHaveProperty('password');
    expect((await api('PUT', '/api/me/password', { body: { password: goodPassword } })).status).toBe(401);
  });

  it('stores only a scrypt hash with its parameters, tells the person by email, and shows on their data page', async () => {
    const person = await withPassword();
    const [item] = (await scanTable()).filter((i) => i.pk === `user#${person.userId}` && i.sk === 'password');
    expect(item).toMatchObject({ algorithm: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, keylen: SCRYPT.keylen });
    expect(String(item!.salt)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(await scanTable())).not.toContain(goodPassword);
    expect((await mailTo(person.email)).at(-1)?.subject).toMatch(/added a password/);
    const data = await api('GET', '/api/me/data', { cookie: person.cookie });
    expect(data.body.profile.hasPassword).toBe(true);
    expect(data.body.signInHistory[0]).toMatchObject({ kind: 'PasswordSet' });
    expect(JSON.stringify(data.body)).not.toContain(String(item!.hash));
  });
});

describe('signing in with a password', () => {
  it('opens a session like the emailed link does, recorded as a password sign-in', async () => {
    const person = await withPassword();
    const response = await passwordSignIn(person.email.toUpperCase(), goodPassword);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ user: { id: person.userId, email: person.email }, isNewUser: false });
    const cookie = sessionCookieFrom(response);
    expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; Secure; SameSite=Lax/);
    expect((await api('GET', '/api/me', { cookie })).body.id).toBe(person.userId);
    const data = (await api('GET', '/api/me/data', { cookie })).body;
    expect(data.sessions.find((s: { current: boolean }) => s.current).method).toBe('password');
    expect(data.signInHistory[0]).toMatchObject({ kind: 'UserSignedIn', method: 'password' });
  });

  it('answers the same 401 for an unknown address, an account without a password, and a wrong password', async () => {
    const withOne = await withPassword();
    const withoutOne = await signIn();
    const answers = [
      await passwordSignIn(uniqueEmail(), goodPassword),
      await passwordSignIn(withoutOne.email, goodPassword),
      await passwordSignIn(withOne.email, 'not the password at all'),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: { code: 'sign_in_failed', message: refusal } });
    }
  });

  it('rejects a malformed request with 422 naming the field', async () => {
    expect((await api('POST', '/api/auth/password', { body: { email: 'nope', password: 'x' } })).body.error.fields).toHaveProperty('email');
    expect((await api('POST', '/api/auth/password', { body: { email: uniqueEmail(), password: '' } })).body.error.fields).toHaveProperty('password');
  });

  it('pauses an address after 10 wrong guesses: even the right password then answers 429 with Retry-After and says why', async () => {
    const person = await withPassword();
    const ip = freshIp();
    for (let i = 0; i < MAX_GUESSES; i++) expect((await passwordSignIn(person.email, `wrong guess ${i}`, ip)).status).toBe(401);
    const right = await passwordSignIn(person.email, goodPassword, ip);
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('sign_in_paused');
    expect(right.body.error.message).toMatch(/Too many wrong codes or passwords.*link in a sign-in email still works/);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    expect(right.headers.get('set-cookie')).toBeNull();
  });

  it('resumes a day after the last wrong guess, and a success clears the count', async () => {
    const person = await withPassword();
    const ip = freshIp();
    for (let i = 0; i < MAX_GUESSES; i++) await passwordSignIn(person.email, `wrong guess ${i}`, ip);
    expect((await passwordSignIn(person.email, goodPassword, ip)).status).toBe(429);
    const [item] = (await scanTable()).filter((i) => i.pk === `guesses#${emailLimitKey(person.email)}`);
    expect(Number(item!.expiresAt) - Date.now() / 1000).toBeGreaterThan(24 * 3600 - 120);
    // A day passes (DynamoDB Local never deletes the expired item: reads must see past it).
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: item!.pk, sk: item!.sk }, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 } }));
    expect((await passwordSignIn(person.email, goodPassword, ip)).status).toBe(200);
    expect(await attemptsOf(person.email)).toBeUndefined();
  });

  it('compares at most 10 of many parallel wrong attempts, because each is counted before it is compared', async () => {
    const person = await withPassword();
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => passwordSignIn(person.email, `parallel guess ${i}`)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(MAX_GUESSES);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(24 - MAX_GUESSES);
    expect(await attemptsOf(person.email)).toBe(MAX_GUESSES);
    expect((await passwordSignIn(person.email, goodPassword)).status).toBe(429);
  });

  it('counts and pauses an address without an account exactly like one with', async () => {
    const email = uniqueEmail();
    const answers = await Promise.all(Array.from({ length: MAX_GUESSES + 2 }, (_, i) => passwordSignIn(email, `guess ${i}`)));
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(MAX_GUESSES).fill(401), 429, 429]);
    expect(await attemptsOf(email)).toBe(MAX_GUESSES);
  });

  it('limits attempts per masked IP address, across addresses', { timeout: 180_000 }, async () => {
    await awayFromWindowEdge();
    const ip = freshIp();
    const neighbour = ip.replace('.7:443', '.250:443');
    // Five at a time: each is a real scrypt comparison, and fifty at once outlast the handler's timeout on a busy machine.
    const answers = [];
    for (let i = 0; i < 50; i += 5) {
      answers.push(...(await Promise.all(Array.from({ length: 5 }, (_, j) => passwordSignIn(uniqueEmail(), 'some password', (i + j) % 2 ? ip : neighbour)))));
    }
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(401));
    const limited = await passwordSignIn(uniqueEmail(), 'some password', ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('re-hashes a password stored with older parameters when the person next signs in with it', async () => {
    const person = await signIn();
    const salt = randomBytes(16);
    const old = { algorithm: 'scrypt', N: 2 ** 12, r: 8, p: 1, keylen: 32, salt: salt.toString('base64url'), hash: scryptSync(goodPassword, salt, 32, { N: 2 ** 12, r: 8, p: 1 }).toString('base64url') };
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `user#${person.userId}`, sk: 'password', type: 'password', userId: person.userId, setAt: new Date().toISOString(), ...old } }));
    expect((await passwordSignIn(person.email, goodPassword)).status).toBe(200);
    const [item] = (await scanTable()).filter((i) => i.pk === `user#${person.userId}` && i.sk === 'password');
    expect(item).toMatchObject({ N: SCRYPT.N, p: SCRYPT.p });
    expect(item!.hash).not.toBe(old.hash);
    expect((await passwordSignIn(person.email, goodPassword)).status).toBe(200);
  });
});

describe('changing, resetting and removing a password', () => {
  it('asks a session opened with the password for the current one before changing it', async () => {
    const person = await withPassword();
    const cookie = sessionCookieFrom(await passwordSignIn(person.email, goodPassword));
    const missing = await api('PUT', '/api/me/password', { cookie, body: { password: 'a brand new passphrase' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields).toHaveProperty('currentPassword');
    const wrong = await api('PUT', '/api/me/password', { cookie, body: { password: 'a brand new passphrase', currentPassword: 'nope nope nope' } });
    expect(wrong.body.error.fields.currentPassword).toMatch(/not your current password/);
    const right = await api('PUT', '/api/me/password', { cookie, body: { password: 'a brand new passphrase', currentPassword: goodPassword } });
    expect(right.status).toBe(200);
    expect((await mailTo(person.email)).at(-1)?.subject).toMatch(/password was changed/);
    expect((await passwordSignIn(person.email, goodPassword)).status).toBe(401);
    expect((await passwordSignIn(person.email, 'a brand new passphrase')).status).toBe(200);
  });

  it('resets a forgotten password through the email link: that session sets a new one without the old, and lifts a pause', async () => {
    const person = await withPassword();
    await Promise.all(Array.from({ length: MAX_GUESSES }, (_, i) => passwordSignIn(person.email, `forgotten ${i}`)));
    expect((await passwordSignIn(person.email, goodPassword)).status).toBe(429);
    // The reset: an emailed sign-in link, then a new password.
    await api('POST', '/api/auth/email', { body: { email: person.email }, headers: viewer(freshIp()) });
    const emailed = sessionCookieFrom(await api('POST', '/api/auth/token', { body: { token: (await latestSignIn(person.email)).token } }));
    expect((await api('PUT', '/api/me/password', { cookie: emailed, body: { password: 'remembered at last' } })).status).toBe(200);
    expect((await passwordSignIn(person.email, 'remembered at last')).status).toBe(200);
  });

  it('removes the password: signing in with it stops working, and removing it again is fine', async () => {
    const person = await withPassword();
    const removed = await api('DELETE', '/api/me/password', { cookie: person.cookie });
    expect(removed.status).toBe(200);
    expect(removed.body.hasPassword).toBe(false);
    expect((await mailTo(person.email)).at(-1)?.subject).toMatch(/removed your/);
    expect((await passwordSignIn(person.email, goodPassword)).body.error.message).toBe(refusal);
    expect((await api('GET', '/api/me/data', { cookie: person.cookie })).body.profile.hasPassword).toBe(false);
    expect((await api('DELETE', '/api/me/password', { cookie: person.cookie })).status).toBe(200);
  });

  it('reactivates a deactivated account that signs in with its password', async () => {
    const person = await withPassword();
    expect((await api('POST', '/api/me/deactivate', { cookie: person.cookie })).status).toBe(202);
    const back = await passwordSignIn(person.email, goodPassword);
    expect(back.status).toBe(200);
    const user = (await scanTable()).find((i) => i.pk === `user#${person.userId}` && i.sk === 'profile');
    expect(user?.deactivatedAt).toBeUndefined();
  });
});
