import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { routes, splitRouteKey, type RouteKey } from '../../shared/api/routes.ts';
import { api, mailTo, signIn, uniqueEmail, waitFor } from '../../scripts/test-support/api.ts';
import { createGroup, groupWithMembers, invitationToken } from '../../scripts/test-support/groups.ts';

const crossSite = { 'sec-fetch-site': 'cross-site' };
const stateChanging = (Object.keys(routes) as RouteKey[]).filter((key) => splitRouteKey(key).method !== 'GET');

describe('requests from other sites', () => {
  it.each(stateChanging.filter((key) => !('oneClick' in routes[key])))('refuses %s sent from another site with 403, before anything else', async (key) => {
    const { method, path } = splitRouteKey(key);
    const person = await sharedPerson();
    const url = path.replace(/\{\w+\}/g, 'x1');
    for (const headers of [crossSite, { 'sec-fetch-site': 'same-site' }, { origin: 'https://evil.example' }]) {
      const response = await api(method, url, { cookie: person.cookie, headers });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('cross_site');
    }
  });

  it('keeps the account active, the invitation unused and the join link unchanged after cross-site bodyless POSTs', async () => {
    const { admin, group } = await groupWithMembers(0);
    const link = await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });
    expect(link.status).toBeLessThan(300);
    const invitee = await signIn();
    await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [invitee.email] } });
    const token = await invitationToken(invitee.email);

    expect((await api('POST', '/api/me/deactivate', { cookie: admin.cookie, headers: crossSite })).status).toBe(403);
    expect((await api('POST', `/api/invitations/${token}/accept`, { cookie: invitee.cookie, headers: crossSite })).status).toBe(403);
    expect((await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie, headers: crossSite })).status).toBe(403);

    expect((await api('GET', '/api/me', { cookie: admin.cookie })).status).toBe(200);
    expect((await api('GET', `/api/invitations/${token}`)).status).toBe(200);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: invitee.cookie })).body.myMembership ?? null).toBeNull();
    const joinToken = /#token=(.+)$/.exec(link.body.url)![1]!;
    expect((await api('GET', `/api/join/${joinToken}`)).status).toBe(200);
    // The same requests from our own pages go through.
    expect((await api('POST', `/api/invitations/${token}/accept`, { cookie: invitee.cookie, headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });
});

describe('one-click unsubscribe from a mail client (RFC 8058)', () => {
  async function unsubscribeLink() {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const requester = await signIn();
    expect((await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: requester.cookie, body: {} })).status).toBe(201);
    const message = await waitFor(async () => (await mailTo(admin.email)).find((e) => /unsubscribe\?token=/.test(e.body.text ?? '')), 'the request email with its unsubscribe link');
    const token = /\/unsubscribe\?token=([A-Za-z0-9_.-]+)/.exec(message.body.text!)![1]!;
    return { admin, token };
  }

  const post = (token: string, type: string, body: string) =>
    api('POST', `/api/unsubscribe?token=${token}`, { body, headers: { 'content-type': type, ...crossSite } });

  it('accepts List-Unsubscribe=One-Click sent cross-site as a URL-encoded form', async () => {
    const { admin, token } = await unsubscribeLink();
    const response = await post(token, 'application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ unsubscribed: true, category: 'membership' });
    expect((await api('GET', '/api/me/email-preferences', { cookie: admin.cookie })).body.categories).toEqual({ membership: false });
  });

  it('accepts it as multipart/form-data', async () => {
    const { admin, token } = await unsubscribeLink();
    const body = '--b0undary\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b0undary--\r\n';
    expect((await post(token, 'multipart/form-data; boundary=b0undary', body)).status).toBe(200);
    expect((await api('GET', '/api/me/email-preferences', { cookie: admin.cookie })).body.categories).toEqual({ membership: false });
  });

  it('refuses other bodies and a tampered token, and changes nothing', async () => {
    const { admin, token } = await unsubscribeLink();
    expect((await post(token, 'application/x-www-form-urlencoded', 'List-Unsubscribe=Everything')).status).toBe(422);
    expect((await post(token, 'text/plain', 'List-Unsubscribe=One-Click')).status).toBe(415);
    expect((await post(`${token.slice(0, -2)}xx`, 'application/x-www-form-urlencoded', 'List-Unsubscribe=One-Click')).status).toBe(400);
    expect((await api('GET', '/api/me/email-preferences', { cookie: admin.cookie })).body.categories).toEqual({});
  });
});

describe('the viewer address', () => {
  it('is believed only next to the origin secret: a caller who bypasses the edge cannot pick their own', async () => {
    const email = uniqueEmail('viewer');
    // Five sign-in requests per address are allowed; the sixth is refused whatever viewer it names.
    for (let i = 0; i < 5; i++) {
      const response = await api('POST', '/api/auth/email', { edge: false, body: { email }, headers: { 'cloudfront-viewer-address': `198.18.${i}.1:443` } });
      expect(response.status).toBe(202);
    }
    const sixth = await api('POST', '/api/auth/email', { edge: false, body: { email }, headers: { 'cloudfront-viewer-address': '198.18.99.1:443' } });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('logs', () => {
  it('never hold a full viewer address, whichever way a request goes', async () => {
    const v4 = '203.0.113.177';
    const v6 = '2001:db8:abcd:12:3456:789a:bcde:f012';
    for (const viewer of [`${v4}:443`, `[${v6}]:443`]) {
      const headers = { 'cloudfront-viewer-address': viewer, 'user-agent': `agent ${viewer}` };
      const email = uniqueEmail('logged');
      await api('POST', '/api/auth/email', { body: { email }, headers });
      await api('POST', '/api/auth/token', { body: { email, code: '000000' }, headers });
      await api('POST', '/api/auth/password', { body: { email, password: 'not the password' }, headers });
      await api('GET', '/api/groups/nothing-here', { headers });
      await api('POST', '/api/groups', { body: { name: '' }, headers: { ...headers, cookie: 'moot_session=forged' } });
      await api('POST', '/api/auth/email', { body: '{"email":', headers: { ...headers, 'content-type': 'application/json' } });
    }
    // The stack logs at DEBUG in tests, so every line a handler could write is in the file.
    const log = readFileSync(inject('logFile'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    for (const address of [v4, v6, '2001:db8:abcd:12:3456']) expect(log).not.toContain(address);
  });
});

let person: Promise<{ cookie: string }> | undefined;
const sharedPerson = () => (person ??= signIn().then(async (p) => { await createGroup(p.cookie); return p; }));

describe('fields the API does not take', () => {
  const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

  it('are refused with 422 naming each one, and nothing of the request is written', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Strict', closingAt: inAWeek() } })).body;
    const refusals: Array<[string, string, Record<string, unknown>, string[]]> = [
      ['PATCH', '/api/me', { name: 'Renamed', email: 'someone-else@example.org' }, ['email']],
      ['PATCH', `/api/polls/${poll.id}`, { title: 'Edited', options: ['One', 'Two'] }, ['options']],
      ['POST', '/api/polls', { groupId: group.id, type: 'proposal', title: 'T', closingAt: inAWeek(), template: 'budget' }, ['template']],
      ['POST', `/api/groups/${group.id}/discussions`, { title: 'Tagged', tags: ['a'] }, ['tags']],
      ['POST', '/api/polls', { groupId: group.id, type: 'count', title: 'T', closingAt: inAWeek(), settings: { target: 3, dots: 8 } }, ['settings.dots']],
      ['PUT', `/api/polls/${poll.id}/vote`, { choices: { option: 'agree' }, weight: 10 }, ['weight']],
    ];
    for (const [method, path, body, fields] of refusals) {
      const answer = await api(method, path, { cookie: admin.cookie, body });
      expect(answer.status, `${method} ${path}`).toBe(422);
      expect(Object.keys(answer.body.error.fields), `${method} ${path}`).toEqual(fields);
    }
    expect((await api('GET', '/api/me', { cookie: admin.cookie })).body.name).not.toBe('Renamed');
    const after = (await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body;
    expect(after.title).toBe('Strict');
    expect(after.results.voters).toBe(0);
  });
});
