import { describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { api, mailTo, rawTable, runScheduler, scanBallotTable, scanTable, sessionCookieFrom, signIn, uniqueEmail, type ApiResponse } from '../../scripts/test-support/api.ts';
import { createGroup, groupWithMembers, invitationToken } from '../../scripts/test-support/groups.ts';
import { postComment, startPoll, startThread, uploadFile } from '../../scripts/test-support/matrix.ts';
import { exportGroup } from '../../scripts/test-support/archives.ts';
import { scanObjects } from '../../scripts/test-support/storage.ts';
import { randomBytes } from 'node:crypto';
import { addressMailKey } from './invitation-mail-limit.ts';

const membershipOf = (groupId: string, userId: string) => `${groupId}.${userId}`;

describe('creating a group', () => {
  it('makes the creator its first admin, suggests a handle from the name, and renders the description safely', async () => {
    const person = await signIn();
    const response = await api('POST', '/api/groups', {
      cookie: person.cookie,
      body: { name: `Riverside Food Co-op ${Date.now()}`, description: 'We *share* food. <script>alert(1)</script>' },
    });
    expect(response.status).toBe(201);
    expect(response.body.handle).toMatch(/^riverside-food-co-op-\d+$/);
    expect(response.body.myMembership.role).toBe('admin');
    expect(response.body.memberCount).toBe(1);
    expect(response.body.privacy).toBe('closed');
    expect(response.body.flags).toMatchObject({ membersCanStartDiscussions: true, membersCanAddMembers: false });
    expect(response.body.descriptionHtml).toContain('<em>share</em>');
    expect(response.body.descriptionHtml).not.toContain('<script');
  });

  it('answers 409 naming the field for a taken handle', async () => {
    const person = await signIn();
    const first = await createGroup(person.cookie);
    const again = await api('POST', '/api/groups', { cookie: person.cookie, body: { name: 'Another', handle: first.handle } });
    expect(again.status).toBe(409);
    expect(again.body.error.fields).toHaveProperty('handle');
  });

  it('gives one of two parallel creations with the same handle, and a 409 to the other', async () => {
    const person = await signIn();
    const handle = `race-${Date.now()}`;
    const results = await Promise.all([1, 2].map(() => api('POST', '/api/groups', { cookie: person.cookie, body: { name: 'Race', handle } })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(251) }, 'name'],
    [{ name: 'Ok', handle: 'Not A Handle!' }, 'handle'],
    [{ name: 'Ok', privacy: 'hidden' }, 'privacy'],
    [{ name: 'Ok', privacy: 'open', discussionPrivacy: 'private_only' }, 'discussionPrivacy'],
    [{ name: 'Ok', privacy: 'secret', membershipGranting: 'request' }, 'membershipGranting'],
    [{ name: 'Ok', flags: { membersCanAddMembers: 'yes' } }, 'flags.membersCanAddMembers'],
  ])('rejects %j with 422 naming %s', async (body, field) => {
    const person = await signIn();
    const response = await api('POST', '/api/groups', { cookie: person.cookie, body });
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toHaveProperty([field]);
  });

  it('creates a subgroup one level deep, with the parent handle as prefix, listed on the parent', async () => {
    const person = await signIn();
    const parent = await createGroup(person.cookie);
    const sub = await api('POST', '/api/groups', { cookie: person.cookie, body: { name: 'Finance', parentId: parent.id } });
    expect(sub.status).toBe(201);
    expect(sub.body.handle).toBe(`${parent.handle}-finance`);
    expect(sub.body.parent).toMatchObject({ id: parent.id });
    const parentView = await api('GET', `/api/groups/${parent.id}`, { cookie: person.cookie });
    expect(parentView.body.subgroups).toEqual([expect.objectContaining({ id: sub.body.id, name: 'Finance' })]);
    const deeper = await api('POST', '/api/groups', { cookie: person.cookie, body: { name: 'Deeper', parentId: sub.body.id } });
    expect(deeper.status).toBe(403);
  });

  it('requires a signed-in person', async () => {
    expect((await api('POST', '/api/groups', { body: { name: 'Nope' } })).status).toBe(401);
  });
});

describe('seeing groups', () => {
  it('shows an open group to a signed-out visitor, by handle', async () => {
    const person = await signIn();
    const group = await createGroup(person.cookie, { privacy: 'open' });
    const visitor = await api('GET', `/api/groups/${group.handle}`);
    expect(visitor.status).toBe(200);
    expect(visitor.body.myMembership).toBeNull();
  });

  it('answers 404 for a secret group to outsiders and signed-out visitors, on every group endpoint', async () => {
    const { admin, group } = await groupWithMembers(0, { privacy: 'secret' });
    const outsider = await signIn();
    for (const cookie of [undefined, outsider.cookie]) {
      expect((await api('GET', `/api/groups/${group.id}`, { cookie })).status).toBe(404);
      expect((await api('GET', `/api/groups/${group.handle}`, { cookie })).status).toBe(404);
      expect((await api('GET', `/api/groups/${group.id}/memberships`, { cookie })).status).toBe(404);
    }
    expect((await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: outsider.cookie, body: {} })).status).toBe(404);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: admin.cookie })).status).toBe(200);
  });

  it('reads a group page by id in one DynamoDB request after the session read', async () => {
    const { admin, group } = await groupWithMembers(0);
    const response = await api('GET', `/api/groups/${group.id}`, { cookie: admin.cookie });
    expect(response.status).toBe(200);
    expect(response.dbRequests).toBe(2);
  });

  it('lists my groups in one Query after the session read, leaving out groups I left', async () => {
    const { group, members } = await groupWithMembers(1);
    const person = members[0]!;
    const other = await createGroup(person.cookie);
    const mine = await api('GET', '/api/groups', { cookie: person.cookie });
    expect(mine.dbRequests).toBe(2);
    expect(mine.body.groups.map((g: { id: string }) => g.id).sort()).toEqual([group.id, other.id].sort());
    expect(mine.body.groups.find((g: { id: string }) => g.id === other.id).role).toBe('admin');
    expect((await api('DELETE', `/api/memberships/${membershipOf(group.id, person.userId)}`, { cookie: person.cookie })).status).toBe(204);
    const after = await api('GET', '/api/groups', { cookie: person.cookie });
    expect(after.body.groups.map((g: { id: string }) => g.id)).toEqual([other.id]);
  });

  it('hides an archived group at once, and keeps it in the purge schedule', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    expect((await api('DELETE', `/api/groups/${group.id}`, { cookie: members[0]!.cookie })).status).toBe(403);
    expect((await api('DELETE', `/api/groups/${group.id}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: admin.cookie })).status).toBe(404);
    const [item] = (await scanTable()).filter((i) => i.pk === `group#${group.id}` && i.sk === 'group');
    expect(item).toMatchObject({ gsi2pk: 'due', dueKind: 'purgeGroup' });
  });
});

describe('member lists', () => {
  it('pages members with a signed cursor, and refuses a tampered one with 400', async () => {
    const { admin, group } = await groupWithMembers(3);
    const first = await api('GET', `/api/groups/${group.id}/memberships?limit=2`, { cookie: admin.cookie });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await api('GET', `/api/groups/${group.id}/memberships?limit=2&cursor=${encodeURIComponent(first.body.cursor)}`, { cookie: admin.cookie });
    expect(second.body.items).toHaveLength(2);
    const ids = [...first.body.items, ...second.body.items].map((m: { userId: string }) => m.userId);
    expect(new Set(ids).size).toBe(4);
    const [payload, signature] = first.body.cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ pk: 'user#someone', sk: 'profile' })).toString('base64url')}.${signature}`;
    for (const bad of [forged, `${payload}.AAAA`, 'garbage', `${payload}`]) {
      const response = await api('GET', `/api/groups/${group.id}/memberships?cursor=${encodeURIComponent(bad)}`, { cookie: admin.cookie });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_cursor');
    }
  });

  it('refuses a cursor from another group\u2019s list', async () => {
    const a = await groupWithMembers(2);
    const b = await groupWithMembers(0);
    const page = await api('GET', `/api/groups/${a.group.id}/memberships?limit=1`, { cookie: a.admin.cookie });
    const elsewhere = await api('GET', `/api/groups/${b.group.id}/memberships?cursor=${encodeURIComponent(page.body.cursor)}`, { cookie: b.admin.cookie });
    expect(elsewhere.status).toBe(400);
  });

  it('shows emails to admins only; a plain member sees no email but their own in any member-list response', async () => {
    const { admin, group, members } = await groupWithMembers(3);
    const asAdmin = await api('GET', `/api/groups/${group.id}/memberships`, { cookie: admin.cookie });
    expect(asAdmin.body.items.every((m: { email?: string }) => typeof m.email === 'string')).toBe(true);
    const member = members[0]!;
    let cursor: string | null = null;
    const seen: Array<{ userId: string; email?: string }> = [];
    do {
      const page: ApiResponse = await api('GET', `/api/groups/${group.id}/memberships?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { cookie: member.cookie });
      seen.push(...page.body.items);
      const text = JSON.stringify(page.body);
      for (const other of [admin, ...members.slice(1)]) expect(text).not.toContain(other.email);
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(seen.filter((m) => m.email)).toEqual([expect.objectContaining({ userId: member.userId, email: member.email })]);
  });
});

describe('invitations', () => {
  it('emails each address a single-use link that signs the person in and makes them a member', async () => {
    const { admin, group } = await groupWithMembers(0);
    const email = uniqueEmail('invitee');
    const sent = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email], message: 'Join us!' } });
    expect(sent.status).toBe(201);
    const [message] = await mailTo(email);
    expect(message?.subject).toContain(group.name);
    expect(message?.body.text).toContain('Join us!');
    const token = await invitationToken(email);
    const shown = await api('GET', `/api/invitations/${token}`);
    expect(shown.body).toMatchObject({ group: { id: group.id }, email });
    const accepted = await api('POST', `/api/invitations/${token}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body.isNewUser).toBe(true);
    const cookie = sessionCookieFrom(accepted);
    const view = await api('GET', `/api/groups/${group.id}`, { cookie });
    expect(view.body.myMembership.role).toBe('member');
    expect(view.body.memberCount).toBe(2);
    expect((await api('POST', `/api/invitations/${token}/accept`)).status).toBe(404);
  });

  it('turns 20 parallel accepts of one invitation into exactly one membership, counted once', async () => {
    const { admin, group } = await groupWithMembers(0);
    const email = uniqueEmail();
    await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email] } });
    const token = await invitationToken(email);
    const results = await Promise.all(Array.from({ length: 20 }, () => api('POST', `/api/invitations/${token}/accept`)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 404)).toHaveLength(19);
    const items = (await scanTable()).filter((i) => i.pk === `group#${group.id}`);
    expect(items.filter((i) => String(i.sk).startsWith('member#'))).toHaveLength(2);
    expect(items.find((i) => i.sk === 'group')?.memberCount).toBe(2);
  });

  it('stops a revoked invitation, and a resent one replaces the old link', async () => {
    const { admin, group } = await groupWithMembers(0);
    const [a, b] = [uniqueEmail(), uniqueEmail()];
    const sent = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [a, b] } });
    const [ia, ib] = sent.body.invitations as Array<{ id: string; email: string }>;
    const pending = await api('GET', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie });
    expect(pending.body.items.map((i: { email: string }) => i.email).sort()).toEqual([a, b].sort());
    const tokenA = await invitationToken(a);
    expect((await api('DELETE', `/api/invitations/${ia!.id}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await api('POST', `/api/invitations/${tokenA}/accept`)).status).toBe(404);
    const oldB = await invitationToken(b);
    await coolDownPassed(group.id, [b]);
    expect((await api('POST', `/api/invitations/${ib!.id}/resend`, { cookie: admin.cookie })).status).toBe(202);
    const newB = await invitationToken(b);
    expect(newB).not.toBe(oldB);
    expect((await api('POST', `/api/invitations/${oldB}/accept`)).status).toBe(404);
    expect((await api('POST', `/api/invitations/${newB}/accept`)).status).toBe(200);
  });

  it('lets members invite only when members_can_add_members is on', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const member = members[0]!;
    expect((await api('POST', `/api/groups/${group.id}/invitations`, { cookie: member.cookie, body: { emails: [uniqueEmail()] } })).status).toBe(403);
    await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { flags: { membersCanAddMembers: true } } });
    expect((await api('POST', `/api/groups/${group.id}/invitations`, { cookie: member.cookie, body: { emails: [uniqueEmail()] } })).status).toBe(201);
  });

  it('rate limits invitations per inviter per day with 429 and Retry-After', async () => {
    // The allowance counts per UTC day: do not straddle midnight.
    const intoDay = (Date.now() / 1000) % 86_400;
    if (intoDay > 86_400 - 60) await new Promise((r) => setTimeout(r, (86_400 - intoDay + 1) * 1000));
    const { admin, group } = await groupWithMembers(0);
    const limit = 60;
    const batch = (n: number) => Array.from({ length: n }, () => uniqueEmail('bulk'));
    expect((await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: batch(limit - 1) } })).status).toBe(201);
    const over = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: batch(2) } });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: batch(1) } })).status).toBe(201);
  });

  it('refuses a resend within the cool-down with 429 and Retry-After, and sends nothing', async () => {
    const { admin, group } = await groupWithMembers(0);
    const email = uniqueEmail();
    const sent = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email] } });
    const id = sent.body.invitations[0].id as string;
    const token = await invitationToken(email);
    const early = await api('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie });
    expect(early.status).toBe(429);
    const wait = Number(early.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    expect(early.body.error.message).toContain(email);
    expect(await mailTo(email)).toHaveLength(1);
    expect(await invitationToken(email)).toBe(token);
    await coolDownPassed(group.id, [email]);
    expect((await api('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie })).status).toBe(202);
    expect(await mailTo(email)).toHaveLength(2);
    expect((await api('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie })).status).toBe(429);
  });

  it('sends one address at most 4 invitation emails a day from one group, however far apart', async () => {
    const { admin, group } = await groupWithMembers(0);
    const email = uniqueEmail();
    const sent = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email] } });
    const id = sent.body.invitations[0].id as string;
    for (let i = 0; i < 3; i++) {
      await coolDownPassed(group.id, [email]);
      expect((await api('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie })).status).toBe(202);
    }
    await coolDownPassed(group.id, [email]);
    const capped = await api('POST', `/api/invitations/${id}/resend`, { cookie: admin.cookie });
    expect(capped.status).toBe(429);
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await mailTo(email)).toHaveLength(4);
  });

  it('does not restart the cool-down when an invitation is withdrawn and the address invited again', async () => {
    const { admin, group } = await groupWithMembers(0);
    const email = uniqueEmail();
    const first = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email] } });
    expect((await api('DELETE', `/api/invitations/${first.body.invitations[0].id}`, { cookie: admin.cookie })).status).toBe(204);
    const again = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email] } });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(0);
    // In a batch, the cooling address is left out and named; the others are invited.
    const other = uniqueEmail();
    const mixed = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email, other] } });
    expect(mixed.status).toBe(201);
    expect(mixed.body.invitations.map((i: { email: string }) => i.email)).toEqual([other]);
    expect(mixed.body.notSent).toEqual([{ email, retryAfter: expect.any(Number) }]);
    expect(await mailTo(email)).toHaveLength(1);
  });

  it('counts resends against the sender\u2019s daily invitation allowance', async () => {
    const intoDay = (Date.now() / 1000) % 86_400;
    if (intoDay > 86_400 - 60) await new Promise((r) => setTimeout(r, (86_400 - intoDay + 1) * 1000));
    const { admin, group } = await groupWithMembers(0);
    const limit = 60;
    const emails = Array.from({ length: limit }, () => uniqueEmail('bulk'));
    const sent = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails } });
    expect(sent.status).toBe(201);
    await coolDownPassed(group.id, [sent.body.invitations[0].email]);
    const resend = await api('POST', `/api/invitations/${sent.body.invitations[0].id}/resend`, { cookie: admin.cookie });
    expect(resend.status).toBe(429);
    expect(resend.body.error.message).toMatch(/a day/);
    expect(Number(resend.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it.each([[{ emails: [] }], [{ emails: ['nope'] }], [{}]])('rejects %j with 422 naming emails', async (body) => {
    const { admin, group } = await groupWithMembers(0);
    const response = await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body });
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.error.fields)[0]).toMatch(/^emails/);
  });
});

/** Ends the cool-down of these addresses in this group, as if 10 minutes had passed (the day's count stays). */
async function coolDownPassed(groupId: string, emails: string[]): Promise<void> {
  for (const email of emails) {
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: addressMailKey(groupId, email).key, UpdateExpression: 'SET nextAt = :past', ExpressionAttributeValues: { ':past': 0 } }));
  }
}

describe('join links', () => {
  it('lets anyone signed in join with the current link, and stops the old link after a reset', async () => {
    const { admin, group } = await groupWithMembers(0);
    const first = await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });
    expect(first.status).toBe(201);
    const tokenOf = (url: string) => url.split('#token=')[1]!;
    const joiner = await signIn();
    expect((await api('GET', `/api/join/${tokenOf(first.body.url)}`, { cookie: joiner.cookie })).body).toMatchObject({ group: { id: group.id }, isMember: false });
    expect((await api('POST', `/api/join/${tokenOf(first.body.url)}`, { cookie: joiner.cookie })).status).toBe(200);
    const second = await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });
    const late = await signIn();
    expect((await api('POST', `/api/join/${tokenOf(first.body.url)}`, { cookie: late.cookie })).status).toBe(404);
    expect((await api('POST', `/api/join/${tokenOf(second.body.url)}`, { cookie: late.cookie })).status).toBe(200);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: admin.cookie })).body.memberCount).toBe(3);
    expect(JSON.stringify(await scanTable())).not.toContain(tokenOf(second.body.url));
  });
});

describe('membership requests', () => {
  it('joins at once on a request group', async () => {
    const { group } = await groupWithMembers(0, { membershipGranting: 'request' });
    const person = await signIn();
    const response = await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} });
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('joined');
  });

  it('waits for an admin on an approval group, then emails the requester when approved', async () => {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const person = await signIn();
    const asked = await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: { introduction: 'I live on the river.' } });
    expect(asked.body.status).toBe('pending');
    expect((await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} })).status).toBe(409);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: person.cookie })).body.myRequest).toEqual({ status: 'pending' });
    const list = await api('GET', `/api/groups/${group.id}/membership-requests`, { cookie: admin.cookie });
    expect(list.body.items).toEqual([expect.objectContaining({ userId: person.userId, introduction: 'I live on the river.' })]);
    const approved = await api('POST', `/api/membership-requests/${list.body.items[0].id}/approve`, { cookie: admin.cookie });
    expect(approved.status).toBe(200);
    // The approval email comes from the notifications worker on the stream, a moment later.
    for (let i = 0; i < 300 && !(await mailTo(person.email)).at(-1)?.subject.includes('now a member'); i++) await new Promise((r) => setTimeout(r, 100));
    expect((await mailTo(person.email)).at(-1)?.subject).toContain('now a member');
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: person.cookie })).body.myMembership.role).toBe('member');
    expect((await api('POST', `/api/membership-requests/${list.body.items[0].id}/approve`, { cookie: admin.cookie })).status).toBe(404);
  });

  it('can ignore a request', async () => {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const person = await signIn();
    await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} });
    const id = membershipOf(group.id, person.userId);
    expect((await api('POST', `/api/membership-requests/${id}/ignore`, { cookie: admin.cookie })).body).toEqual({ status: 'ignored' });
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: person.cookie })).body.myMembership).toBeNull();
  });

  it('refuses requests to an invitation-only group with 403', async () => {
    const { group } = await groupWithMembers(0, { membershipGranting: 'invitation' });
    const person = await signIn();
    expect((await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: person.cookie, body: {} })).status).toBe(403);
  });
});

describe('roles', () => {
  it('lets admins promote and demote, and keeps the last admin from leaving or being demoted', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const member = members[0]!;
    const adminMembership = membershipOf(group.id, admin.userId);
    expect((await api('DELETE', `/api/memberships/${adminMembership}`, { cookie: admin.cookie })).status).toBe(409);
    const demoteSelf = await api('PATCH', `/api/memberships/${adminMembership}`, { cookie: admin.cookie, body: { role: 'member' } });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body.error.code).toBe('last_admin');
    expect((await api('PATCH', `/api/memberships/${membershipOf(group.id, member.userId)}`, { cookie: member.cookie, body: { role: 'admin' } })).status).toBe(403);
    const promoted = await api('PATCH', `/api/memberships/${membershipOf(group.id, member.userId)}`, { cookie: admin.cookie, body: { role: 'admin', title: 'Treasurer' } });
    expect(promoted.body).toMatchObject({ role: 'admin', title: 'Treasurer' });
    expect((await api('DELETE', `/api/memberships/${adminMembership}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: member.cookie })).body.adminCount).toBe(1);
  });

  it('leaves at least one admin when two admins demote each other at the same moment', async () => {
    for (let round = 0; round < 3; round++) {
      const { admin, group, members } = await groupWithMembers(1);
      const other = members[0]!;
      await api('PATCH', `/api/memberships/${membershipOf(group.id, other.userId)}`, { cookie: admin.cookie, body: { role: 'admin' } });
      const results = await Promise.all([
        api('PATCH', `/api/memberships/${membershipOf(group.id, other.userId)}`, { cookie: admin.cookie, body: { role: 'member' } }),
        api('PATCH', `/api/memberships/${membershipOf(group.id, admin.userId)}`, { cookie: other.cookie, body: { role: 'member' } }),
      ]);
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
      const items = (await scanTable()).filter((i) => i.pk === `group#${group.id}`);
      const admins = items.filter((i) => String(i.sk).startsWith('member#') && i.role === 'admin' && !i.revokedAt);
      expect(admins.length).toBeGreaterThanOrEqual(1);
      expect(items.find((i) => i.sk === 'group')?.adminCount).toBe(admins.length);
    }
  });

  it('lets a member make themself admin when the group has no admin', async () => {
    const { group, members } = await groupWithMembers(1);
    const member = members[0]!;
    // The only way to have no admin is data from elsewhere (e.g. an import); make it so directly.
    const groupRow = (await scanTable()).find((i) => i.pk === `group#${group.id}` && i.sk === 'group')!;
    const adminRow = (await scanTable()).find((i) => i.pk === `group#${group.id}` && i.role === 'admin')!;
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: groupRow.pk, sk: groupRow.sk }, UpdateExpression: 'SET adminCount = :z', ExpressionAttributeValues: { ':z': 0 } }));
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: adminRow.pk, sk: adminRow.sk }, UpdateExpression: 'SET #r = :m', ExpressionAttributeNames: { '#r': 'role' }, ExpressionAttributeValues: { ':m': 'member' } }));
    const stepped = await api('PATCH', `/api/memberships/${membershipOf(group.id, member.userId)}`, { cookie: member.cookie, body: { role: 'admin' } });
    expect(stepped.status).toBe(200);
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: member.cookie })).body.adminCount).toBe(1);
  });

  it('keeps a removed membership for the record, with who removed it and when', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const member = members[0]!;
    expect((await api('DELETE', `/api/memberships/${membershipOf(group.id, member.userId)}`, { cookie: admin.cookie })).status).toBe(204);
    const row = (await scanTable()).find((i) => i.pk === `group#${group.id}` && i.sk === `member#${member.userId}`);
    expect(row).toMatchObject({ revokedBy: admin.userId, revokedAt: expect.any(String) });
    expect(row).not.toHaveProperty('gsi1pk');
    expect((await api('GET', `/api/groups/${group.id}`, { cookie: member.cookie })).status).toBe(200);
    expect((await api('GET', `/api/groups/${group.id}/memberships`, { cookie: member.cookie })).status).toBe(404);
  });

  it('records every membership change as an event item with who, what and when', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    await api('PATCH', `/api/memberships/${membershipOf(group.id, members[0]!.userId)}`, { cookie: admin.cookie, body: { role: 'admin' } });
    const events = (await scanTable()).filter((i) => i.pk === `group#${group.id}` && i.type === 'event');
    const kinds = events.map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['GroupCreated', 'MembershipCreated', 'InvitationsSent', 'MembershipRoleChanged']));
    for (const event of events) expect(event).toMatchObject({ actorId: expect.any(String), at: expect.any(String) });
  });
});

describe('settings', () => {
  it('makes discussions private and open subgroups closed when a group becomes secret', async () => {
    const person = await signIn();
    const parent = await createGroup(person.cookie, { privacy: 'open' });
    const sub = await api('POST', '/api/groups', { cookie: person.cookie, body: { name: 'Kitchen', parentId: parent.id, privacy: 'open' } });
    const secret = await api('PATCH', `/api/groups/${parent.id}`, { cookie: person.cookie, body: { privacy: 'secret' } });
    expect(secret.status).toBe(200);
    expect(secret.body).toMatchObject({ privacy: 'secret', discussionPrivacy: 'private_only', membershipGranting: 'invitation' });
    expect((await api('GET', `/api/groups/${sub.body.id}`, { cookie: person.cookie })).body.privacy).toBe('secret');
  });

  it('makes every subgroup secret when its parent becomes secret, closed ones included, still shown to the parent\u2019s members', async () => {
    const { admin, group: parent, members } = await groupWithMembers(1);
    const sub = await api('POST', '/api/groups', { cookie: admin.cookie, body: { name: 'Treasury', parentId: parent.id } });
    expect(sub.body.privacy).toBe('closed');
    expect((await api('PATCH', `/api/groups/${parent.id}`, { cookie: admin.cookie, body: { privacy: 'secret' } })).status).toBe(200);
    const after = await api('GET', `/api/groups/${sub.body.id}`, { cookie: admin.cookie });
    expect(after.body).toMatchObject({ privacy: 'secret', discussionPrivacy: 'private_only', membershipGranting: 'invitation', isVisibleToParentMembers: true });
    const asParentMember = await api('GET', `/api/groups/${parent.id}`, { cookie: members[0]!.cookie });
    expect(asParentMember.body.subgroups).toEqual([expect.objectContaining({ id: sub.body.id, privacy: 'secret' })]);
    expect((await api('GET', `/api/groups/${sub.body.id}`, { cookie: members[0]!.cookie })).status).toBe(200);
    const outsider = await signIn();
    for (const cookie of [undefined, outsider.cookie]) {
      expect((await api('GET', `/api/groups/${sub.body.id}`, { cookie })).status).toBe(404);
      expect((await api('GET', `/api/groups/${sub.body.handle}`, { cookie })).status).toBe(404);
    }
    const refused = await api('PATCH', `/api/groups/${sub.body.id}`, { cookie: admin.cookie, body: { privacy: 'closed' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toHaveProperty('privacy');
  });

  it('changes the handle, frees the old one, and lets only admins edit', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const handle = `renamed-${Date.now()}`;
    expect((await api('PATCH', `/api/groups/${group.id}`, { cookie: members[0]!.cookie, body: { name: 'Nope' } })).status).toBe(403);
    const changed = await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { handle, name: 'Renamed' } });
    expect(changed.body).toMatchObject({ handle, name: 'Renamed' });
    expect((await api('GET', `/api/groups/${handle}`, { cookie: admin.cookie })).body.id).toBe(group.id);
    expect((await api('GET', `/api/groups/${group.handle}`, { cookie: admin.cookie })).status).toBe(404);
    const reuse = await api('POST', '/api/groups', { cookie: admin.cookie, body: { name: 'Old handle', handle: group.handle } });
    expect(reuse.status).toBe(201);
  });
});

describe('a subgroup of a secret group', () => {
  /** A secret group, a subgroup of it, and a person who was invited to the subgroup only. */
  async function secretFamily(subgroup: Record<string, unknown> = {}) {
    const { admin, group: parent } = await groupWithMembers(0, { privacy: 'secret' });
    const created = await api('POST', '/api/groups', { cookie: admin.cookie, body: { name: 'Inner Circle', parentId: parent.id, ...subgroup } });
    expect(created.status).toBe(201);
    const sub = created.body as { id: string; handle: string; privacy: string };
    const onlySub = await signIn();
    await api('POST', `/api/groups/${sub.id}/invitations`, { cookie: admin.cookie, body: { emails: [onlySub.email] } });
    expect((await api('POST', `/api/invitations/${await invitationToken(onlySub.email)}/accept`)).status).toBe(200);
    return { admin, parent, sub, onlySub };
  }

  it('is secret by default, with a handle that does not carry the parent\u2019s', async () => {
    const { parent, sub } = await secretFamily();
    expect(sub.privacy).toBe('secret');
    expect(sub.handle).not.toContain(parent.handle);
    expect(sub.handle).toMatch(/^inner-circle-[0-9a-f]{6}$/);
  });

  it.each(['closed', 'open'])('refuses to be made %s, with 422 naming privacy', async (privacy) => {
    const { admin, group: parent } = await groupWithMembers(0, { privacy: 'secret' });
    const response = await api('POST', '/api/groups', { cookie: admin.cookie, body: { name: 'Leaky', parentId: parent.id, privacy } });
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toHaveProperty('privacy');
  });

  it('says nothing about itself to outsiders and signed-out visitors: 404 by id, by handle, for members, invitations, requests and subgroups', async () => {
    const { admin, sub } = await secretFamily();
    const outsider = await signIn();
    for (const cookie of [undefined, outsider.cookie]) {
      for (const path of [`/api/groups/${sub.id}`, `/api/groups/${sub.handle}`, `/api/groups/${sub.id}/memberships`, `/api/groups/${sub.handle}/memberships`]) {
        const response = await api('GET', path, { cookie });
        expect(response.status, path).toBe(404);
        expect(JSON.stringify(response.body)).not.toContain('Inner Circle');
      }
    }
    for (const [method, path, body] of [
      ['POST', `/api/groups/${sub.id}/membership-requests`, {}],
      ['GET', `/api/groups/${sub.id}/membership-requests`],
      ['GET', `/api/groups/${sub.id}/invitations`],
      ['POST', `/api/groups/${sub.id}/join-link`],
      ['POST', '/api/groups', { name: 'Nested', parentId: sub.id }],
      ['POST', `/api/membership-requests/${membershipOf(sub.id, admin.userId)}/approve`],
    ] as Array<[string, string, unknown?]>) {
      expect((await api(method, path, { cookie: outsider.cookie, body })).status, `${method} ${path}`).toBe(404);
    }
  });

  it('names no secret parent to its own members who are not in the parent', async () => {
    const { parent, sub, onlySub } = await secretFamily();
    const view = await api('GET', `/api/groups/${sub.id}`, { cookie: onlySub.cookie });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ parent: null, parentId: null, isSubgroup: true, privacy: 'secret' });
    const text = JSON.stringify(view.body);
    expect(text).not.toContain(parent.id);
    expect(text).not.toContain(parent.handle);
    expect(text).not.toContain(parent.name);
    expect((await api('GET', `/api/groups/${parent.id}`, { cookie: onlySub.cookie })).status).toBe(404);
  });

  it('stays hidden when older data still says closed, because its parent is secret', async () => {
    const { admin, parent, sub, onlySub } = await secretFamily();
    // Subgroups made before this rule could be closed under a secret parent.
    await rawTable().send(new UpdateCommand({
      TableName: inject('tableName'), Key: { pk: `group#${sub.id}`, sk: 'group' },
      UpdateExpression: 'SET privacy = :closed, membershipGranting = :approval', ExpressionAttributeValues: { ':closed': 'closed', ':approval': 'approval' },
    }));
    const outsider = await signIn();
    for (const cookie of [undefined, outsider.cookie]) {
      expect((await api('GET', `/api/groups/${sub.id}`, { cookie })).status).toBe(404);
      expect((await api('GET', `/api/groups/${sub.handle}`, { cookie })).status).toBe(404);
      expect((await api('GET', `/api/groups/${sub.id}/memberships`, { cookie })).status).toBe(404);
    }
    expect((await api('POST', `/api/groups/${sub.id}/membership-requests`, { cookie: outsider.cookie, body: {} })).status).toBe(404);
    const member = await api('GET', `/api/groups/${sub.id}`, { cookie: onlySub.cookie });
    expect(member.body).toMatchObject({ privacy: 'secret', parent: null });
    expect(JSON.stringify(member.body)).not.toContain(parent.id);
    // A join link's holder learns the subgroup's name, as secret, and nothing of its parent.
    const link = await api('POST', `/api/groups/${sub.id}/join-link`, { cookie: admin.cookie });
    const token = /#token=([A-Za-z0-9_-]{43})$/.exec(link.body.url)![1];
    const shown = await api('GET', `/api/join/${token}`, { cookie: outsider.cookie });
    expect(shown.body.group).toMatchObject({ id: sub.id, privacy: 'secret' });
    expect(JSON.stringify(shown.body)).not.toContain(parent.id);
  });

  it('is listed on the parent only to the parent\u2019s members, and only when shown to them', async () => {
    const { admin, parent, sub } = await secretFamily({ isVisibleToParentMembers: true });
    const hidden = await api('POST', '/api/groups', { cookie: admin.cookie, body: { name: 'Hidden', parentId: parent.id } });
    const view = await api('GET', `/api/groups/${parent.id}`, { cookie: admin.cookie });
    expect(view.body.subgroups.map((s: { id: string }) => s.id)).toEqual([sub.id]);
    expect(view.body.subgroups.map((s: { id: string }) => s.id)).not.toContain(hidden.body.id);
  });
});

describe('a member of another group', () => {
  it('gets no data and makes no change through any group endpoint', async () => {
    const { admin, group, members } = await groupWithMembers(1, { membershipGranting: 'approval' });
    const stranger = (await groupWithMembers(0)).admin;
    const before = JSON.stringify((await scanTable()).filter((i) => i.pk === `group#${group.id}` && i.type !== 'event'));
    const id = group.id;
    const someone = membershipOf(id, members[0]!.userId);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/groups/${id}/memberships`],
      ['PATCH', `/api/groups/${id}`, { name: 'Hijacked' }],
      ['DELETE', `/api/groups/${id}`],
      ['PATCH', `/api/memberships/${someone}`, { role: 'admin' }],
      ['DELETE', `/api/memberships/${someone}`],
      ['POST', `/api/groups/${id}/invitations`, { emails: [uniqueEmail()] }],
      ['GET', `/api/groups/${id}/invitations`],
      ['POST', `/api/groups/${id}/join-link`],
      ['GET', `/api/groups/${id}/membership-requests`],
      ['POST', `/api/membership-requests/${membershipOf(id, admin.userId)}/approve`],
      ['POST', `/api/membership-requests/${membershipOf(id, admin.userId)}/ignore`],
    ];
    for (const [method, path, body] of calls) {
      const response = await api(method, path, { cookie: stranger.cookie, body });
      expect([403, 404], `${method} ${path}`).toContain(response.status);
      expect(JSON.stringify(response.body)).not.toContain(admin.email);
    }
    const after = JSON.stringify((await scanTable()).filter((i) => i.pk === `group#${group.id}` && i.type !== 'event'));
    expect(after).toBe(before);
  });
});

/** Polls until `check` passes: the stream worker runs a moment after the write that triggers it. */
async function eventually(check: () => Promise<void>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

describe('copies kept current by the stream worker', () => {
  it('shows a renamed group under its new name in every member\u2019s list of groups', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { name: 'The New Name' } });
    await eventually(async () => {
      const mine = await api('GET', '/api/groups', { cookie: members[0]!.cookie });
      expect(mine.body.groups.find((g: { id: string }) => g.id === group.id)?.name).toBe('The New Name');
    });
  });

  it('shows a person\u2019s new name in member lists', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    await api('PATCH', '/api/me', { cookie: members[0]!.cookie, body: { name: 'Renamed Person' } });
    await eventually(async () => {
      const list = await api('GET', `/api/groups/${group.id}/memberships`, { cookie: admin.cookie });
      expect(list.body.items.find((m: { userId: string }) => m.userId === members[0]!.userId)?.name).toBe('Renamed Person');
    });
  });
});

describe('purging archived groups', () => {
  it('purges with the group its threads, comments, files, polls, ballots in both tables and exports, and nothing of a thread moved out before', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const other = await createGroup(admin.cookie);
    const mark = `purged${randomBytes(5).toString('hex')}`;
    const thread = await startThread(admin.cookie, group.id, `Thread ${mark}`);
    const uploadId = await uploadFile(admin.cookie, `${mark}.pdf`, Buffer.from(`%PDF-1.4 ${mark}\n`));
    await postComment(members[0]!.cookie, thread.id, `Comment ${mark}`);
    await postComment(admin.cookie, thread.id, `With a file ${mark}`, { attachmentIds: [uploadId] });
    const named = await startPoll(admin.cookie, group.id, { title: `Named ${mark}`, discussionId: thread.id });
    const secret = await startPoll(admin.cookie, group.id, { title: `Secret ${mark}`, anonymous: true });
    for (const poll of [named, secret]) expect((await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: { choices: { option: 'agree' }, reason: `Reason ${mark}` } })).status).toBe(200);
    const moved = await startThread(admin.cookie, group.id, `Moved ${mark}`);
    expect((await api('POST', `/api/discussions/${moved.id}/move`, { cookie: admin.cookie, body: { groupId: other.id } })).status).toBe(200);
    await exportGroup(admin.cookie, group.id);
    expect(JSON.stringify(await scanBallotTable())).toContain(mark);

    await api('DELETE', `/api/groups/${group.id}`, { cookie: admin.cookie });
    const past = `${new Date(Date.now() - 60_000).toISOString()}#group#${group.id}`;
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: `group#${group.id}`, sk: 'group' }, UpdateExpression: 'SET gsi2sk = :past', ExpressionAttributeValues: { ':past': past } }));
    await runScheduler();

    const ids = [group.id, thread.id.split('.')[1]!, named.id.split('.')[1]!, secret.id.split('.')[1]!];
    const left = [...(await scanTable()), ...(await scanBallotTable())].filter((i) => ids.some((id) => JSON.stringify(i).includes(id)) || (JSON.stringify(i).includes(mark) && !JSON.stringify(i).includes(`Moved ${mark}`)));
    // What expires by itself sooner than a purge comes (30 days after archiving) is left to expire:
    // the export's job record (7 days) and rate counters (an hour).
    const purgeDelay = Date.now() / 1000 + 30 * 86_400;
    // The group the thread moved to keeps its own audit trail of the move.
    expect(left.filter((i) => !(typeof i.expiresAt === 'number' && i.expiresAt < purgeDelay) && i.pk !== `group#${other.id}`)).toEqual([]);
    const objects = await scanObjects();
    expect(objects.filter((o) => o.text.includes(mark) || o.key.includes(mark) || o.key.startsWith(`groups/${group.id}/`)).map((o) => o.key)).toEqual([]);
    // The thread that left before keeps living in its new group.
    expect((await api('GET', `/api/discussions/${moved.id}`, { cookie: admin.cookie })).status).toBe(200);
  });

  it('removes every item of a group once its purge date has passed, whether or not the stack was up then', async () => {
    const { admin, group } = await groupWithMembers(2);
    await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });
    await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [uniqueEmail()] } });
    await api('DELETE', `/api/groups/${group.id}`, { cookie: admin.cookie });
    const row = (await scanTable()).find((i) => i.pk === `group#${group.id}` && i.sk === 'group')!;
    const past = `${new Date(Date.now() - 60_000).toISOString()}#group#${group.id}`;
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: row.pk, sk: row.sk }, UpdateExpression: 'SET gsi2sk = :past', ExpressionAttributeValues: { ':past': past } }));
    await runScheduler();
    const left = (await scanTable()).filter((i) => JSON.stringify(i).includes(group.id));
    expect(left).toEqual([]);
    await runScheduler();
  });
});
