import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { api, latestSignIn, mailTo, randomViewer, rawTable, runScheduler, scanBallotTable, scanTable, sessionCookieFrom, signIn } from '../../scripts/test-support/api.ts';
import { createGroup, groupWithMembers, invitationToken } from '../../scripts/test-support/groups.ts';
import { scanObjects as scanBuckets } from '../../scripts/test-support/storage.ts';


async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function upload(cookie: string, name: string, content: string) {
  const bytes = Buffer.from(content);
  const requested = await api('POST', '/api/uploads', { cookie, body: { filename: name, contentType: 'text/plain', size: bytes.length } });
  expect(requested.status).toBe(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(requested.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'text/plain' }), name);
  expect((await fetch(requested.body.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  return requested.body.uploadId as string;
}

/** Signs in with a chosen user agent, so the session stores it. */
async function signInAs(email: string, userAgent: string) {
  await api('POST', '/api/auth/email', { body: { email }, headers: { 'cloudfront-viewer-address': randomViewer() } });
  const { token } = await latestSignIn(email);
  const response = await api('POST', '/api/auth/token', { body: { token }, headers: { 'user-agent': userAgent } });
  expect(response.status).toBe(200);
  return { cookie: sessionCookieFrom(response), email, userId: response.body.user.id as string };
}

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

/**
 * Brings an erasure's final pass forward (it is due 5 minutes after the request) and runs the
 * scheduler once, as its one-minute tick would.
 */
async function runFinalErasePass(userId: string) {
  await rawTable().send(new UpdateCommand({
    TableName: inject('tableName'), Key: { pk: `erasure#${userId}`, sk: 'job' },
    UpdateExpression: 'SET gsi2sk = :past', ExpressionAttributeValues: { ':past': `${new Date(Date.now() - 1000).toISOString()}#erase#${userId}` },
  }));
  await runScheduler();
}

describe('deleting an account', () => {
  it('leaves no marker of the person in any table item, any stored object or the stack log, and keeps their content as "Deleted account"', async () => {
    const mark = `mk${randomBytes(6).toString('hex')}`;
    // Prepare: the person, with a marker in every personal field, active in a group.
    const admin = await signIn();
    const group = await createGroup(admin.cookie);
    const email = `${mark}-mail@example.org`;
    await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [email] } });
    const accepted = await api('POST', `/api/invitations/${await invitationToken(email)}/accept`, { headers: { 'cloudfront-viewer-address': randomViewer(), 'user-agent': `Agent-${mark}-A` } });
    expect(accepted.status).toBe(200);
    const person = await signInAs(email, `Agent-${mark}-B`);
    expect((await api('PATCH', '/api/me', { cookie: person.cookie, body: { name: `Name ${mark}` } })).status).toBe(200);
    // Names reach memberships through the stream.
    await waitFor('the name on the membership', async () => JSON.stringify(await scanTable()).includes(`"member#${person.userId}"`) && (await scanTable()).some((i) => i.sk === `member#${person.userId}` && i.name === `Name ${mark}`));

    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: person.cookie, body: { title: 'Shared plans', description: 'Shared text' } })).body;
    const adminComment = (await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Admin reply' } })).body;
    const ownComment = await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: person.cookie, body: { body: 'A comment that stays' } });
    expect(ownComment.status).toBe(201);
    expect((await api('PUT', '/api/reactions', { cookie: person.cookie, body: { subject: { type: 'comment', id: adminComment.id }, emoji: 'heart' } })).status).toBeLessThan(300);
    const poll = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Shall we?', closingAt: inAWeek() } })).body;
    expect((await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: person.cookie, body: { choices: { option: 'agree' }, reason: 'Reason that stays' } })).status).toBe(200);
    const anonymous = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Secret ballot', closingAt: inAWeek(), anonymous: true } })).body;
    expect((await api('PUT', `/api/polls/${anonymous.id}/vote`, { cookie: person.cookie, body: { choices: { option: 'disagree' } } })).status).toBe(200);
    await upload(person.cookie, `file-${mark}.txt`, `private ${mark} contents`);
    // A personal archive sits in the exports bucket, full of markers.
    expect((await api('POST', '/api/me/exports', { cookie: person.cookie })).status).toBe(202);
    await waitFor('the personal export email', async () => (await mailTo(email)).some((m) => /data is ready/.test(m.subject)));
    const before = await scanBuckets();
    expect(before.some((o) => o.bucket === 'moot-exports' && o.text.includes(mark))).toBe(true);
    expect(JSON.stringify(await scanTable())).toContain(mark);

    // Act
    const started = Date.now();
    const deleted = await api('DELETE', '/api/me', { cookie: person.cookie });
    expect(deleted.status).toBe(202);
    expect((await api('GET', '/api/me', { cookie: person.cookie })).status).toBe(401);
    await waitFor('the first erase pass', async () => (await scanTable()).some((i) => i.pk === `erasure#${person.userId}` && i.firstPassAt));
    const eraseMs = Date.now() - started;
    // A worker that was behind writes the name after the first pass, as a late vote entry would.
    const late = { pk: `discussion#${thread.id.split('.')[1]}`, sk: 'item#9999999999', type: 'timelineItem', kind: 'vote', seq: 9_999_999_999, authorId: person.userId, authorName: `Name ${mark}`, createdAt: new Date().toISOString() };
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: late }));
    await runFinalErasePass(person.userId);
    expect((await scanTable()).filter((i) => i.pk === `erasure#${person.userId}` || i.pk === `user#${person.userId}`)).toEqual([]);

    // Assess: no marker anywhere.
    const items = await scanTable();
    const leaks = items.filter((i) => JSON.stringify(i).toLowerCase().includes(mark));
    expect(leaks).toEqual([]);
    const objects = await scanBuckets();
    expect(objects.filter((o) => o.key.includes(mark) || o.text.includes(mark)).map((o) => `${o.bucket}/${o.key}`)).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    const log = readFileSync(inject('logFile'), 'utf8');
    expect(log.length).toBeGreaterThan(0);
    expect(log.includes(mark)).toBe(false);

    // Their content stays, attributed to "Deleted account"; the anonymous ballot still has no voter.
    const timeline = items.filter((i) => String(i.pk) === `discussion#${thread.id.split('.')[1]}`);
    expect(timeline.find((i) => i.sk === 'thread')).toMatchObject({ authorName: 'Deleted account', title: 'Shared plans' });
    expect(timeline.find((i) => i.body === 'A comment that stays')).toMatchObject({ authorName: 'Deleted account' });
    expect(timeline.find((i) => i.sk === 'item#9999999999')).toMatchObject({ authorName: 'Deleted account' });
    expect(JSON.stringify(timeline.find((i) => i.body === 'Admin reply')?.reactions)).toContain('Deleted account');
    const ballots = items.filter((i) => i.type === 'ballot' && String(i.pk) === `poll#${poll.id.split('.')[1]}`);
    expect(ballots).toEqual([expect.objectContaining({ voterName: 'Deleted account', reason: 'Reason that stays' })]);
    expect(items.filter((i) => i.type === 'ballot' && String(i.pk) === `poll#${anonymous.id.split('.')[1]}`)).toEqual([]);
    const secret = (await scanBallotTable()).filter((i) => i.type === 'ballot' && String(i.pk) === `poll#${anonymous.id.split('.')[1]}`);
    expect(secret).toHaveLength(1);
    expect(secret[0]).not.toHaveProperty('voterId');
    const membership = items.find((i) => i.sk === `member#${person.userId}`);
    expect(membership).toMatchObject({ name: 'Deleted account', email: '' });
    expect(membership).toHaveProperty('revokedAt');
    expect(items.find((i) => i.pk === `group#${group.id}` && i.sk === 'group')).toMatchObject({ memberCount: 1 });
    console.info(`erase took ${eraseMs} ms`);

    // The address is free again: signing in makes a new, empty account.
    const again = await signIn(email);
    expect(again.userId).not.toBe(person.userId);
  });

  it('is irreversible at once: the old session and a second request change nothing', async () => {
    const person = await signIn();
    const other = await signInAs(person.email, 'Second device');
    expect((await api('DELETE', '/api/me', { cookie: person.cookie })).status).toBe(202);
    expect((await api('GET', '/api/me', { cookie: other.cookie })).status).toBe(401);
    expect((await api('DELETE', '/api/me', { cookie: other.cookie })).status).toBe(401);
  });
});

describe('deactivating an account', () => {
  it('signs out everywhere, suspends memberships so no email arrives, and signing in restores exactly the memberships they had', async () => {
    // Prepare: a person in two groups, one of which removes them while they are away.
    const { admin, group, members } = await groupWithMembers(1);
    const person = members[0]!;
    const second = await createGroup(admin.cookie);
    await api('POST', `/api/groups/${second.id}/invitations`, { cookie: admin.cookie, body: { emails: [person.email] } });
    expect((await api('POST', `/api/invitations/${await invitationToken(person.email)}/accept`, { cookie: person.cookie, headers: { 'cloudfront-viewer-address': randomViewer() } })).status).toBe(200);

    // Act: deactivate.
    const response = await api('POST', '/api/me/deactivate', { cookie: person.cookie });
    expect(response.status).toBe(202);
    expect((await api('GET', '/api/me', { cookie: person.cookie })).status).toBe(401);
    const suspended = () => scanTable().then((items) => items.filter((i) => i.type === 'membership' && i.userId === person.userId && i.suspendedAt && !i.revokedAt));
    await waitFor('memberships suspended', async () => (await suspended()).length === 2);
    expect((await suspended()).every((m) => m.volume === 'mute')).toBe(true);
    // While away: an admin removes them from the second group, and the group talks.
    expect((await api('DELETE', `/api/memberships/${second.id}.${person.userId}`, { cookie: admin.cookie })).status).toBe(204);
    const mailBefore = (await mailTo(person.email)).length;
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'News while you were away' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: `@${'x'} hello everyone` } });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await mailTo(person.email)).length).toBe(mailBefore);
    expect((await scanTable()).filter((i) => i.pk === `user#${person.userId}` && String(i.sk).startsWith('notification#'))).toEqual([]);

    // Act: sign in again.
    const back = await signInAs(person.email, 'Back again');
    await waitFor('memberships restored', async () => (await suspended()).length === 0);

    // Assess: exactly the memberships they had and still hold.
    const groups = await api('GET', '/api/groups', { cookie: back.cookie });
    expect(groups.status).toBe(200);
    const ids = JSON.stringify(groups.body);
    expect(ids).toContain(group.id);
    expect(ids).not.toContain(second.id);
    const data = await api('GET', '/api/me/data', { cookie: back.cookie });
    // Ended memberships leave the person's index, so the page lists the one they still hold.
    expect(data.body.memberships).toEqual([expect.objectContaining({ groupId: group.id, status: 'active' })]);
    expect(data.body.signInHistory.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['AccountDeactivated', 'AccountReactivated']));
  });

  it('ends the session that asked, so a second call answers 401', async () => {
    const person = await signIn();
    expect((await api('POST', '/api/me/deactivate', { cookie: person.cookie })).status).toBe(202);
    expect((await api('POST', '/api/me/deactivate', { cookie: person.cookie })).status).toBe(401);
  });
});

describe('my data', () => {
  it('shows the profile, memberships, sessions with masked IPs and devices, sign-in history, preferences and content counts', async () => {
    const { admin, group } = await groupWithMembers(0);
    const device = await signInAs(admin.email, 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0');
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Counted' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'One' } });
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Two' } });
    const poll = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Counted?', closingAt: inAWeek() } })).body;
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: admin.cookie, body: { choices: { option: 'agree' }, reason: 'yes' } });

    const response = await api('GET', '/api/me/data', { cookie: device.cookie });

    expect(response.status).toBe(200);
    const data = response.body;
    expect(data.profile).toMatchObject({ id: admin.userId, email: admin.email, hasPassword: false });
    expect(data.memberships).toEqual([expect.objectContaining({ groupId: group.id, role: 'admin', status: 'active' })]);
    expect(data.sessions).toHaveLength(2);
    expect(data.sessions.find((s: { current: boolean }) => s.current)).toMatchObject({ device: 'Firefox on Linux' });
    for (const s of data.sessions) expect(s.ip).toMatch(/\/24$|\/48$|^unknown$/);
    expect(JSON.stringify(data)).not.toMatch(/sessionHash|session#/);
    expect(data.signInHistory.filter((e: { kind: string }) => e.kind === 'UserSignedIn')).toHaveLength(2);
    expect(data.emailPreferences).toMatchObject({ defaultVolume: 'normal' });
    expect(data.contentCounts).toEqual({ threads: 1, comments: 2, polls: 1, votes: 1, outcomes: 0, uploads: 0 });
  });

  it('builds the archive asynchronously, emails a 7-day link, and the archive holds everything with checked files', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Mine' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'My words' } });
    const contents = 'x'.repeat(2_000_000);
    await upload(admin.cookie, 'big.txt', contents);

    const requested = await api('POST', '/api/me/exports', { cookie: admin.cookie });
    expect(requested.status).toBe(202);
    const message = await waitFor('the export email', async () => (await mailTo(admin.email)).find((m) => /data is ready/.test(m.subject)));
    const link = /(http\S+moot-personal-export\S+)/.exec(message.body.text!)?.[1];
    expect(link).toMatch(/X-Amz-Expires=604800/);
    const archive = gunzipSync(Buffer.from(await (await fetch(link!)).arrayBuffer())).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));

    expect(archive[0]).toMatchObject({ format: 'moot-personal-export', version: 1, userId: admin.userId });
    const types = new Set(archive.map((r) => r.type));
    for (const t of ['profile', 'membership', 'session', 'accountEvent', 'emailPreferences', 'thread', 'comment', 'file', 'fileChunk', 'manifest']) expect(types).toContain(t);
    const manifest = archive.at(-1);
    expect(manifest).toMatchObject({ type: 'manifest', records: archive.length });
    const file = archive.find((r) => r.type === 'file');
    const bytes = Buffer.concat(archive.filter((r) => r.type === 'fileChunk' && r.path === file.path).sort((a, b) => a.index - b.index).map((r) => Buffer.from(r.data, 'base64')));
    expect(bytes.toString()).toBe(contents);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
    expect(manifest.files).toEqual([expect.objectContaining({ path: file.path, sha256: file.sha256, size: 2_000_000 })]);
    expect(JSON.stringify(archive)).not.toMatch(/"pk"|"sk"|sessionHash|tokenHash/);
    const data = await api('GET', '/api/me/data', { cookie: admin.cookie });
    expect(data.body.exports).toEqual([expect.objectContaining({ id: requested.body.exportId, status: 'ready' })]);
  });
});
