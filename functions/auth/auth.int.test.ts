import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { api, latestSignIn, mailTo, rawTable, scanTable, sessionCookieFrom, signIn, uniqueEmail } from '../../scripts/test-support/api.ts';
import { emailHash, sha256 } from '../lib/crypto.ts';
import { emailLimitKey } from '../lib/rate-limit.ts';
import { MAX_GUESSES } from './guesses.ts';

const viewer = (ip: string) => ({ 'cloudfront-viewer-address': ip });

/** Limits count in fixed windows; a test that fills one waits rather than straddle a window's end. */
async function awayFromWindowEdge(windowSeconds = 15 * 60, marginSeconds = 30) {
  const intoWindow = (Date.now() / 1000) % windowSeconds;
  if (intoWindow > windowSeconds - marginSeconds) await new Promise((r) => setTimeout(r, (windowSeconds - intoWindow + 1) * 1000));
}
let ipCounter = 0;
/** A fresh documentation-range /24 per test, so the per-IP limit of one test never trips another. */
const freshIp = () => `198.18.${++ipCounter}.10:443`;

describe('requesting a sign-in email', () => {
  it('answers 202 and emails a link and a 6-digit code', async () => {
    const email = uniqueEmail();
    const response = await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    expect(response.status).toBe(202);
    const [message] = await mailTo(email);
    expect(message?.subject).toMatch(/sign-in code/);
    expect(message?.body.text).toMatch(/\/sign-in\/link#token=[A-Za-z0-9_-]{43}/);
    expect(message?.body.text).toMatch(/code: \d{6}/);
    expect(message?.body.html).toContain('Sign in');
  });

  it('answers the same for an address with an account and one without', async () => {
    const existing = await signIn();
    const known = await api('POST', '/api/auth/email', { body: { email: existing.email }, headers: viewer(freshIp()) });
    const unknown = await api('POST', '/api/auth/email', { body: { email: uniqueEmail() }, headers: viewer(freshIp()) });
    expect(known.status).toBe(unknown.status);
    expect(known.body).toEqual(unknown.body);
  });

  it.each([
    [{ email: 'not-an-email' }, 'email'],
    [{ email: '' }, 'email'],
    [{}, 'email'],
    [{ email: 42 }, 'email'],
  ])('rejects %j with 422 naming the field', async (body, field) => {
    const response = await api('POST', '/api/auth/email', { body });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.fields).toHaveProperty(field);
  });

  it('rejects a body that is not JSON with 400', async () => {
    const response = await api('POST', '/api/auth/email', { body: '{nope', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/JSON/);
  });

  it('limits requests per email address with 429 and Retry-After', async () => {
    await awayFromWindowEdge();
    const email = uniqueEmail();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([202, 202, 202, 202, 202]);
    const limited = await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await mailTo(email)).length).toBe(5);
  });

  it('limits requests per masked IP address, across different emails', async () => {
    await awayFromWindowEdge();
    const ip = freshIp();
    const neighbour = ip.replace('.10:', '.99:');
    for (let i = 0; i < 30; i++) {
      expect((await api('POST', '/api/auth/email', { body: { email: uniqueEmail() }, headers: viewer(i % 2 ? ip : neighbour) })).status).toBe(202);
    }
    const limited = await api('POST', '/api/auth/email', { body: { email: uniqueEmail() }, headers: viewer(ip) });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('answers 202 but sends nothing to a suppressed address (hard bounce or complaint)', async () => {
    const email = uniqueEmail('bounced');
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `suppressed#${emailHash(email)}`, sk: 'suppression', type: 'suppression', reason: 'bounce' } }));
    const response = await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    expect(response.status).toBe(202);
    expect(await mailTo(email)).toEqual([]);
  });

  it('records the request and the rate counters in one DynamoDB round trip', async () => {
    const response = await api('POST', '/api/auth/email', { body: { email: uniqueEmail() }, headers: viewer(freshIp()) });
    expect(response.dbRequests).toBe(1);
  });
});

describe('redeeming a sign-in', () => {
  it('signs a new person in by the emailed link, creates the user, and sets a secure session cookie', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { token } = await latestSignIn(email);
    const response = await api('POST', '/api/auth/token', { body: { token } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ isNewUser: true, user: { email, name: null } });
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^moot_session=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('Secure');
    expect(cookie).toContain('SameSite=Lax');
  });

  it('signs the same person in by the emailed code, as an existing user', async () => {
    const first = await signIn();
    await api('POST', '/api/auth/email', { body: { email: first.email }, headers: viewer(freshIp()) });
    const { code } = await latestSignIn(first.email);
    const response = await api('POST', '/api/auth/token', { body: { email: first.email.toUpperCase(), code } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ isNewUser: false, user: { id: first.userId } });
  });

  it('refuses a link used once already with 401', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { token, code } = await latestSignIn(email);
    expect((await api('POST', '/api/auth/token', { body: { token } })).status).toBe(200);
    const again = await api('POST', '/api/auth/token', { body: { token } });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_token');
    // The code belongs to the same sign-in, so it is spent too.
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(401);
  });

  it('refuses a used code, and the link of the same sign-in after it', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { token, code } = await latestSignIn(email);
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(200);
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(401);
    expect((await api('POST', '/api/auth/token', { body: { token } })).status).toBe(401);
  });

  it('refuses an expired link and code by checking expiry on read, not waiting for TTL', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { token, code } = await latestSignIn(email);
    const past = Math.floor(Date.now() / 1000) - 1;
    const table = rawTable();
    await table.send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: `signin#${sha256(token)}`, sk: 'signin' }, UpdateExpression: 'SET expiresAt = :p', ExpressionAttributeValues: { ':p': past } }));
    await table.send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: `signincode#${emailHash(email)}`, sk: 'code' }, UpdateExpression: 'SET expiresAt = :p', ExpressionAttributeValues: { ':p': past } }));
    expect((await api('POST', '/api/auth/token', { body: { token } })).status).toBe(401);
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(401);
  });

  it('allows at most 5 wrong codes, after which even the right code fails', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { code } = await latestSignIn(email);
    const wrong = code === '000000' ? '111111' : '000000';
    const messages: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await api('POST', '/api/auth/token', { body: { email, code: wrong } });
      expect(response.status).toBe(401);
      messages.push(response.body.error.message);
    }
    expect(messages[0]).toMatch(/4 tries left/);
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(401);
  });

  it('allows at most 5 guesses even when they arrive in parallel', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { code } = await latestSignIn(email);
    // 8 stay under the address's daily count (10), so only the code's own limit stops the last three.
    const guesses = Array.from({ length: 8 }, (_, i) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0'));
    await Promise.all(guesses.map((guess) => api('POST', '/api/auth/token', { body: { email, code: guess } })));
    const [item] = (await scanTable()).filter((i) => i.pk === `signincode#${emailHash(email)}`);
    expect(item?.attempts).toBe(5);
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(401);
  });

  it('turns 20 parallel redemptions of one link into exactly one session', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) });
    const { token } = await latestSignIn(email);
    const responses = await Promise.all(Array.from({ length: 20 }, () => api('POST', '/api/auth/token', { body: { token } })));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 401)).toHaveLength(19);
    const userId = responses.find((r) => r.status === 200)!.body.user.id;
    const items = await scanTable();
    expect(items.filter((i) => i.pk === `user#${userId}` && String(i.sk).startsWith('session#'))).toHaveLength(1);
    expect(items.filter((i) => i.pk === `email#${emailHash(email)}`)).toHaveLength(1);
  });

  it.each([
    [{ token: 'short' }, 'token'],
    [{ email: 'a@example.org', code: '12ab56' }, 'code'],
    [{ email: 'nope', code: '123456' }, 'email'],
  ])('rejects malformed proof %j with 422 naming the field', async (body, field) => {
    const response = await api('POST', '/api/auth/token', { body });
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toHaveProperty(field);
  });

  it('rejects an unknown but well-formed token with 401', async () => {
    const response = await api('POST', '/api/auth/token', { body: { token: 'A'.repeat(43) } });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toMatch(/expired or was already used/);
  });
});

/** Asks for a sign-in email to this address and answers its code. */
async function requestCode(email: string): Promise<string> {
  expect((await api('POST', '/api/auth/email', { body: { email }, headers: viewer(freshIp()) })).status).toBe(202);
  return (await latestSignIn(email)).code;
}
const wrongFor = (code: string, i = 0) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
const guessCount = async (email: string) =>
  (await scanTable()).find((i) => i.pk === `guesses#${emailLimitKey(email)}`)?.attempts as number | undefined;

describe('guessing codes and passwords across sign-in requests', () => {
  it('counts wrong codes across requests: after 10 in a day even a new email\u2019s right code answers 429 with Retry-After', async () => {
    const email = uniqueEmail();
    for (let round = 0; round < 2; round++) {
      const code = await requestCode(email);
      for (let i = 0; i < 5; i++) expect((await api('POST', '/api/auth/token', { body: { email, code: wrongFor(code, i) } })).status).toBe(401);
    }
    const code = await requestCode(email);
    const paused = await api('POST', '/api/auth/token', { body: { email, code } });
    expect(paused.status).toBe(429);
    expect(paused.body.error.code).toBe('sign_in_paused');
    expect(paused.body.error.message).toMatch(/link in a sign-in email still works/);
    expect(Number(paused.headers.get('retry-after'))).toBeGreaterThan(23 * 3600);
    expect(paused.headers.get('set-cookie')).toBeNull();
    expect(await guessCount(email)).toBe(MAX_GUESSES);
  });

  it('counts wrong codes and wrong passwords for an address together, whatever its case, dots or +tag', async () => {
    const local = `pat${Date.now().toString(36)}`;
    const plain = `${local}@example.org`;
    const dotted = `${local.slice(0, 2)}.${local.slice(2)}+moot@example.org`;
    const code = await requestCode(dotted);
    for (let i = 0; i < 5; i++) await api('POST', '/api/auth/token', { body: { email: dotted, code: wrongFor(code, i) } });
    for (let i = 0; i < 5; i++) {
      expect((await api('POST', '/api/auth/password', { body: { email: plain.toUpperCase(), password: `guess ${i}` }, headers: viewer(freshIp()) })).status).toBe(401);
    }
    const fresh = await requestCode(plain);
    expect((await api('POST', '/api/auth/token', { body: { email: plain, code: fresh } })).status).toBe(429);
  });

  it('answers an address without an account exactly like one with: the same statuses, bodies, headers and count', async () => {
    const known = (await signIn()).email;
    const unknown = uniqueEmail();
    const run = async (email: string) => {
      const code = await requestCode(email);
      const answers = [];
      for (let i = 0; i < MAX_GUESSES + 2; i++) {
        const body = i % 2 ? { email, code: wrongFor(code, i) } : undefined;
        const answer = body
          ? await api('POST', '/api/auth/token', { body })
          : await api('POST', '/api/auth/password', { body: { email, password: `guess ${i}` }, headers: viewer(freshIp()) });
        answers.push({ status: answer.status, body: answer.body, retryAfter: answer.headers.get('retry-after') !== null });
      }
      return { answers, count: await guessCount(email) };
    };
    const [withAccount, without] = [await run(known), await run(unknown)];
    expect(without).toEqual(withAccount);
    expect(withAccount.answers.slice(-2).map((a) => a.status)).toEqual([429, 429]);
    expect(withAccount.count).toBe(MAX_GUESSES);
  });

  it('counts at most 10 of many parallel guesses spread over several requests', async () => {
    const email = uniqueEmail();
    const codes = [await requestCode(email), await requestCode(email), await requestCode(email)];
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => api('POST', '/api/auth/token', { body: { email, code: wrongFor(codes.at(-1)!, i) } })));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(MAX_GUESSES);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(30 - MAX_GUESSES);
    expect(await guessCount(email)).toBe(MAX_GUESSES);
  });

  it('still signs in by the emailed link while codes are paused, and that lifts the pause', async () => {
    const email = uniqueEmail();
    await requestCode(email);
    await Promise.all(Array.from({ length: MAX_GUESSES }, (_, i) => api('POST', '/api/auth/password', { body: { email, password: `guess ${i}` }, headers: viewer(freshIp()) })));
    const code = await requestCode(email);
    expect((await api('POST', '/api/auth/token', { body: { email, code } })).status).toBe(429);
    const { token } = await latestSignIn(email);
    expect((await api('POST', '/api/auth/token', { body: { token } })).status).toBe(200);
    expect(await guessCount(email)).toBeUndefined();
  });
});

describe('sessions', () => {
  it('answers GET /api/me with the user in one DynamoDB read, and 401 without a session', async () => {
    const person = await signIn();
    const me = await api('GET', '/api/me', { cookie: person.cookie });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: person.userId, email: person.email, name: null });
    expect(me.dbRequests).toBe(1);
    expect((await api('GET', '/api/me')).status).toBe(401);
    expect((await api('GET', '/api/me', { cookie: 'moot_session=garbage' })).status).toBe(401);
    expect((await api('GET', '/api/me', { cookie: `moot_session=${person.userId}.${'x'.repeat(43)}` })).status).toBe(401);
  });

  it('stores only a hash of the session id', async () => {
    const person = await signIn();
    const sessionId = person.cookie.split('.')[1]!;
    const dump = JSON.stringify(await scanTable());
    expect(dump).not.toContain(sessionId);
    expect(dump).toContain(sha256(sessionId));
  });

  it('names the person with PATCH /api/me, and every session sees the new name', async () => {
    const person = await signIn();
    const other = await api('POST', '/api/auth/email', { body: { email: person.email }, headers: viewer(freshIp()) });
    expect(other.status).toBe(202);
    const secondDevice = sessionCookieFrom(await api('POST', '/api/auth/token', { body: await latestSignIn(person.email).then(({ token }) => ({ token })) }));
    const renamed = await api('PATCH', '/api/me', { cookie: person.cookie, body: { name: '  Grace Hopper ' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Grace Hopper');
    expect((await api('GET', '/api/me', { cookie: secondDevice })).body.name).toBe('Grace Hopper');
  });

  it.each([[{ name: '' }], [{ name: 'x'.repeat(101) }], [{}], [{ name: 7 }]])('rejects the name in %j with 422', async (body) => {
    const person = await signIn();
    const response = await api('PATCH', '/api/me', { cookie: person.cookie, body });
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toHaveProperty('name');
  });

  it('signs out this device only', async () => {
    const person = await signIn();
    await api('POST', '/api/auth/email', { body: { email: person.email }, headers: viewer(freshIp()) });
    const secondDevice = sessionCookieFrom(await api('POST', '/api/auth/token', { body: { token: (await latestSignIn(person.email)).token } }));
    const out = await api('DELETE', '/api/auth/session', { cookie: person.cookie });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await api('GET', '/api/me', { cookie: person.cookie })).status).toBe(401);
    expect((await api('GET', '/api/me', { cookie: secondDevice })).status).toBe(200);
  });

  it('signs out everywhere: every session of the person is revoked', async () => {
    const person = await signIn();
    const devices = [person.cookie];
    for (let i = 0; i < 3; i++) {
      await api('POST', '/api/auth/email', { body: { email: person.email }, headers: viewer(freshIp()) });
      devices.push(sessionCookieFrom(await api('POST', '/api/auth/token', { body: { token: (await latestSignIn(person.email)).token } })));
    }
    const stranger = await signIn();
    expect((await api('DELETE', '/api/auth/sessions', { cookie: devices[2] })).status).toBe(204);
    for (const cookie of devices) expect((await api('GET', '/api/me', { cookie })).status).toBe(401);
    expect((await api('GET', '/api/me', { cookie: stranger.cookie })).status).toBe(200);
  });

  it('answers 401 to sign out everywhere without a session', async () => {
    expect((await api('DELETE', '/api/auth/sessions')).status).toBe(401);
  });
});

describe('IP addresses', () => {
  it('are masked before anything is stored: IPv4 to /24 and IPv6 to /48', async () => {
    const email = uniqueEmail();
    await api('POST', '/api/auth/email', { body: { email }, headers: viewer('203.0.113.77:51000') });
    const { token } = await latestSignIn(email);
    await api('POST', '/api/auth/token', { body: { token }, headers: viewer('[2001:db8:abcd:12:34:56:78:9a]:443') });
    const items = await scanTable();
    const dump = JSON.stringify(items);
    expect(dump).not.toContain('203.0.113.77');
    expect(dump).not.toMatch(/2001:db8:abcd:12/);
    expect(dump).toContain('203.0.113.0/24');
    expect(dump).toContain('2001:db8:abcd::/48');
    // Every stored ip attribute, anywhere in the table, is a masked network.
    const ips = items.flatMap((i) => (typeof i.ip === 'string' ? [i.ip] : []));
    expect(ips.length).toBeGreaterThan(0);
    for (const ip of ips) expect(ip).toMatch(/\/(24|48)$|^unknown$/);
  });
});

describe('unknown routes and errors', () => {
  it('answers an unknown API path with a JSON 404', async () => {
    const response = await api('GET', '/api/nothing-here');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it('serves the OpenAPI document', async () => {
    const response = await api('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toContain('/api/auth/email');
  });

  it('sends security headers on API answers', async () => {
    const response = await api('GET', '/api/me');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('last seen', () => {
  it('moves a session\u2019s last-seen time forward when it is over an hour old, and not on every request', async () => {
    const person = await signIn();
    const [userId, sessionId] = person.cookie.slice('moot_session='.length).split('.') as [string, string];
    const key = { pk: `user#${userId}`, sk: `session#${sha256(sessionId)}` };
    const old = new Date(Date.now() - 2 * 3_600_000).toISOString();
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: key, UpdateExpression: 'SET lastSeenAt = :t', ExpressionAttributeValues: { ':t': old } }));
    const refreshed = await api('GET', '/api/me', { cookie: person.cookie });
    expect(refreshed.dbRequests).toBe(2);
    const row = (await scanTable()).find((i) => i.pk === key.pk && i.sk === key.sk)!;
    expect(Date.parse(row.lastSeenAt as string)).toBeGreaterThan(Date.parse(old));
    expect((await api('GET', '/api/me', { cookie: person.cookie })).dbRequests).toBe(1);
  });
});
