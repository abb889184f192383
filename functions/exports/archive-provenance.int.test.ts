import { createHash, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { api, mailTo, rawTable, scanTable, signIn, uniqueEmail, useStackEnv, waitFor } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';
import { keyFromSecret } from './archive-signature.ts';
import { exportGroup, uploadArchive } from '../../scripts/test-support/archives.ts';

type Rec = Record<string, any>;
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

/** What the signature covers (shared/archive/README.md), written out here independently of the code under test. */
const signedBytes = (manifest: Rec) => {
  const { signature, ...rest } = manifest;
  void signature;
  return Buffer.from(`moot-archive-signature/1\n${JSON.stringify(rest)}`);
};

/**
 * Rewrites the manifest to match edited records, as a tool that edits archives on purpose would:
 * the checksums are right again, and the old signature stays (or is replaced by `signature`).
 */
function reseal(records: Rec[], signature?: (manifest: Rec) => Rec | undefined): Buffer {
  const body = records.filter((r) => r.type !== 'manifest').map((r) => `${JSON.stringify(r)}\n`).join('');
  const { signature: old, ...rest } = records.at(-1)!;
  const manifest: Rec = { ...rest, records: records.length, recordsSha256: createHash('sha256').update(body).digest('hex') };
  const next = signature ? signature(manifest) : old;
  return gzipSync(body + `${JSON.stringify(next ? { ...manifest, signature: next } : manifest)}\n`);
}

/** A signature by a key this deployment was never told about, or by one it trusts. */
const signWith = (secret: string, deployment: string) => (manifest: Rec) => {
  const key = keyFromSecret(secret, deployment);
  return { alg: 'Ed25519', deployment, keyId: key.keyId, value: sign(null, signedBytes(manifest), key.privateKey).toString('base64url') };
};

async function importArchive(cookie: string, gz: Buffer) {
  const uploadKey = await uploadArchive(cookie, gz);
  const requested = await api('POST', '/api/imports', { cookie, body: { uploadKey } });
  expect(requested.status).toBe(202);
  return waitFor(async () => {
    const status = await api('GET', `/api/imports/${requested.body.id}`, { cookie });
    return ['done', 'rejected', 'failed'].includes(status.body.status) ? status.body : null;
  }, 'the import');
}

/** The newest invitation to a group (by name) emailed to an address. */
async function invitationTo(email: string, groupName: string): Promise<string> {
  const message = await waitFor(async () => (await mailTo(email)).filter((m) => m.subject.includes(groupName) && m.body.text?.includes('#token=')).at(-1), `an invitation to ${email}`);
  return /#token=([A-Za-z0-9_-]{43})/.exec(message.body.text!)![1]!;
}

/** A group whose member wrote a comment and voted in a named poll, beside the admin. */
async function groupWithContent() {
  const { admin, group, members } = await groupWithMembers(1);
  const member = members[0]!;
  const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Budget' } })).body;
  expect((await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: member.cookie, body: { body: 'Written by the member' } })).status).toBe(201);
  expect((await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Written by the admin' } })).status).toBe(201);
  const poll = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Adopt it?', closingAt: inAWeek() } })).body;
  for (const [cookie, option] of [[member.cookie, 'agree'], [admin.cookie, 'disagree']] as const) {
    expect((await api('PUT', `/api/polls/${poll.id}/vote`, { cookie, body: { choices: { option }, reason: `Because ${option}` } })).status).toBe(200);
  }
  return { admin, group, member, thread, poll };
}

const newId = (report: Rec, old: string) => `${report.groups[0].id}.${report.ids[old.split('.')[1]!]}`;

describe('archive provenance', () => {
  it('publishes this deployment\u2019s key at /.well-known/moot-archive-keys.json, and an export\u2019s signature verifies with it', async () => {
    const { admin, group } = await groupWithMembers(0);

    const { records } = await exportGroup(admin.cookie, group.id);
    const published = await fetch(`${inject('appUrl')}/.well-known/moot-archive-keys.json`);

    expect(published.status).toBe(200);
    const body = (await published.json()) as Rec;
    const manifest = records.at(-1)!;
    expect(manifest.signature).toMatchObject({ alg: 'Ed25519', deployment: body.deployment, keyId: expect.any(String), value: expect.any(String) });
    const key = (body.keys as Rec[]).find((k) => k.keyId === manifest.signature.keyId)!;
    expect(key.jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: key.publicKey });
    const publicKey = createPublicKey({ key: key.jwk, format: 'jwk' });
    expect(verify(null, signedBytes(manifest), publicKey, Buffer.from(manifest.signature.value, 'base64url'))).toBe(true);
    expect(verify(null, signedBytes({ ...manifest, records: manifest.records + 1 }), publicKey, Buffer.from(manifest.signature.value, 'base64url'))).toBe(false);
  });

  it('keeps identities for an unchanged archive from this deployment, and the report says why', async () => {
    const { admin, group, member, thread } = await groupWithContent();
    const { gz } = await exportGroup(admin.cookie, group.id);

    const result = await importArchive(admin.cookie, gz);

    expect(result.status).toBe('done');
    expect(result.report.identity).toEqual({ mode: 'kept', reason: expect.stringMatching(/^verified signature from deployment /), deployment: expect.any(String) });
    expect(result.report.people).toMatchObject({ matched: 2, created: 0, placeholders: 0 });
    const members = await api('GET', `/api/groups/${result.report.groups[0].id}/memberships`, { cookie: admin.cookie });
    expect((members.body.items as Rec[]).map((m) => m.user?.id ?? m.userId).sort()).toEqual([admin.userId, member.userId].sort());
    const timeline = (await api('GET', `/api/discussions/${newId(result.report, thread.id)}`, { cookie: member.cookie })).body.timeline.items as Rec[];
    expect(timeline.find((i) => i.body === 'Written by the member')!.author).toEqual({ id: member.userId, name: null });
  });

  it('imports an edited archive\u2019s people as placeholders: the person it names is no member and owns no content, no account is created, and each address is invited', async () => {
    // Prepare: an attacker adds a real person and an address that never signed up, with a comment "by" the real person.
    const { admin, group, member, thread, poll } = await groupWithContent();
    const { records } = await exportGroup(admin.cookie, group.id);
    const victim = await signIn();
    const stranger = uniqueEmail('stranger');
    const itemOf = records.find((r) => r.type === 'item' && r.body === 'Written by the admin')!;
    const edited = records.flatMap((r) => {
      if (r.type === 'group') {
        return [r,
          { type: 'member', groupId: group.id, userId: victim.userId, role: 'admin', title: null, name: 'Victim', email: victim.email, joinedAt: '2020-01-01T00:00:00.000Z', via: 'invitation' },
          { type: 'member', groupId: group.id, userId: 'S'.repeat(22), role: 'member', title: null, name: 'Stranger', email: stranger, joinedAt: '2020-01-01T00:00:00.000Z', via: 'invitation' }];
      }
      if (r === itemOf) return [{ ...r, authorId: victim.userId, authorName: 'Victim', body: 'I resign' }];
      return [r];
    });
    const importer = await signIn();

    // Act
    const result = await importArchive(importer.cookie, reseal(edited));

    // Assess
    expect(result.status).toBe('done');
    expect(result.report.identity).toEqual({ mode: 'placeholders', reason: 'signature does not match the contents' });
    expect(result.report.people).toMatchObject({ matched: 0, created: 0, placeholders: 4, invited: 4, notInvited: 0 });
    const newGroup = result.report.groups[0];
    const members = await api('GET', `/api/groups/${newGroup.id}/memberships`, { cookie: importer.cookie });
    expect((members.body.items as Rec[]).map((m) => m.user?.id ?? m.userId)).toEqual([importer.userId]);
    expect(JSON.stringify((await api('GET', '/api/groups', { cookie: victim.cookie })).body)).not.toContain(newGroup.id);
    const items = await scanTable();
    expect(items.filter((i) => i.type === 'user' && String(i.email).toLowerCase() === stranger)).toEqual([]);
    const newThread = result.report.ids[thread.id.split('.')[1]];
    const newPoll = result.report.ids[poll.id.split('.')[1]];
    const content = items.filter((i) => i.pk === `discussion#${newThread}` || i.pk === `poll#${newPoll}`);
    expect(content.filter((i) => i.type === 'ballot')).toHaveLength(2);
    expect(content.filter((i) => i.authorId === victim.userId || i.voterId === victim.userId || i.userId === victim.userId)).toEqual([]);
    expect(content.filter((i) => i.authorId === member.userId || i.authorId === admin.userId)).toEqual([]);
    const timeline = (await api('GET', `/api/discussions/${newGroup.id}.${newThread}`, { cookie: importer.cookie })).body.timeline.items as Rec[];
    expect(timeline.find((i) => i.body === 'I resign')!.author).toMatchObject({ name: 'Victim', imported: true });
    expect(timeline.find((i) => i.body === 'Written by the member')!.author).toMatchObject({ imported: true });
    for (const email of [victim.email, stranger, member.email, admin.email]) await invitationTo(email, newGroup.name);
    expect(await mailTo(importer.email).then((m) => m.filter((e) => e.subject.includes(newGroup.name)))).toEqual([]);
  });

  it.each([
    ['an unsigned archive', (records: Rec[]) => reseal(records, () => undefined), 'unsigned'],
    ['an archive signed by a deployment this one does not trust', (records: Rec[]) => reseal(records, signWith(randomBytes(32).toString('hex'), 'Elsewhere')), 'untrusted deployment Elsewhere'],
    ['a signed archive with one byte changed', (records: Rec[]) => reseal(records.map((r) => (r.type === 'item' && r.body === 'Written by the member' ? { ...r, body: 'Written by the membeR' } : r))), 'signature does not match the contents'],
  ])('imports %s with placeholders and says why', async (_, damage, reason) => {
    const { admin, group, member } = await groupWithContent();
    const { records } = await exportGroup(admin.cookie, group.id);

    const result = await importArchive(admin.cookie, damage(records));

    expect(result.status).toBe('done');
    expect(result.report.identity).toEqual({ mode: 'placeholders', reason });
    const members = await api('GET', `/api/groups/${result.report.groups[0].id}/memberships`, { cookie: admin.cookie });
    expect((members.body.items as Rec[]).map((m) => m.user?.id ?? m.userId)).toEqual([admin.userId]);
    // The importer's own address is theirs at once (they started the import signed in with it); the member's waits for the member.
    expect(result.report.people).toMatchObject({ placeholders: 2, invited: 1, claimedByImporter: true });
    await invitationTo(member.email, result.report.groups[0].name);
  });

  it('gives a placeholder\u2019s comment and ballot to the person who accepts with that address, leaves the tally as it was, and not to someone signed in as another address', async () => {
    // Prepare: an unsigned copy, imported by someone who is in none of it.
    const { admin, group, member, thread, poll } = await groupWithContent();
    const { records } = await exportGroup(admin.cookie, group.id);
    const importer = await signIn();
    const result = await importArchive(importer.cookie, reseal(records, () => undefined));
    expect(result.report.identity.mode).toBe('placeholders');
    const newGroup = result.report.groups[0];
    const threadId = newId(result.report, thread.id);
    const pollId = newId(result.report, poll.id);
    const before = (await api('GET', `/api/polls/${pollId}`, { cookie: importer.cookie })).body;

    // Act 1: the admin's invitation is accepted in a browser signed in as the member.
    const adminToken = await invitationTo(admin.email, newGroup.name);
    const wrong = await api('POST', `/api/invitations/${adminToken}/accept`, { cookie: member.cookie });
    expect(wrong.status).toBe(200);

    // Act 2: the member accepts their own, signed in as themself.
    const memberToken = await invitationTo(member.email, newGroup.name);
    const accepted = await api('POST', `/api/invitations/${memberToken}/accept`, { cookie: member.cookie });
    expect(accepted.status).toBe(200);

    // Assess: the member's comment and ballot are theirs; the admin's stay imported; the tally is unchanged.
    const timeline = (await api('GET', `/api/discussions/${threadId}`, { cookie: member.cookie })).body.timeline.items as Rec[];
    expect(timeline.find((i) => i.body === 'Written by the member')!.author).toEqual({ id: member.userId, name: null });
    expect(timeline.find((i) => i.body === 'Written by the admin')!.author).toMatchObject({ imported: true });
    expect(timeline.find((i) => i.body === 'Written by the admin')!.author.id).not.toBe(admin.userId);
    const mine = (await api('GET', `/api/polls/${pollId}`, { cookie: member.cookie })).body;
    expect(mine.myVote).toEqual({ choices: { option: 'agree' }, reason: 'Because agree' });
    // The counts are the same; only the number who may vote grew, as two people joined.
    const tally = (results: Rec) => ({ voters: results.voters, options: (results.options as Rec[]).map((o) => [o.id, o.total, o.voters]) });
    expect(tally(mine.results)).toEqual(tally(before.results));
    const theirs = (await api('GET', `/api/polls/${pollId}`, { cookie: wrong.headers.get('set-cookie')!.split(';')[0] })).body;
    expect(theirs.myVote).toBeNull();
    const votes = (await api('GET', `/api/polls/${pollId}/votes`, { cookie: member.cookie })).body.items as Rec[];
    expect(votes.find((v) => v.choices.option === 'agree')!.voter).toEqual({ id: member.userId, name: null });
    expect(votes.find((v) => v.choices.option === 'disagree')!.voter).toMatchObject({ imported: true });
    const items = await scanTable();
    expect(items.filter((i) => i.type === 'placeholder' && i.groupId === newGroup.id).map((i) => i.claimedBy ?? null).sort()).toEqual([member.userId, null].sort());
    // Voting again changes the member's ballot, not the number of voters.
    expect((await api('PUT', `/api/polls/${pollId}/vote`, { cookie: member.cookie, body: { choices: { option: 'abstain' } } })).status).toBe(200);
    const after = (await api('GET', `/api/polls/${pollId}`, { cookie: member.cookie })).body;
    expect(after.results.voters).toBe(before.results.voters);
  });

  it('keeps identities for an archive signed by another deployment this one trusts', async () => {
    // Prepare: the importer trusts an "Eu" key (passed as TRUSTED_ARCHIVE_KEYS, as infra does) and runs here in the test.
    const eu = keyFromSecret('a trusted deployment of this test', 'Eu');
    useStackEnv({ TRUSTED_ARCHIVE_KEYS: JSON.stringify([{ deployment: 'Eu', publicKey: eu.publicKey }]) });
    const { runImport } = await import('./group-import.ts');
    const { admin, group, members } = await groupWithMembers(1);
    const { records } = await exportGroup(admin.cookie, group.id);
    const uploadKey = await uploadArchive(admin.cookie, reseal(records, signWith('a trusted deployment of this test', 'Eu')));
    const importId = createHash('sha256').update(`trusted${Date.now()}`).digest('base64url').slice(0, 22);
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `groupimport#${importId}`, sk: 'job', type: 'groupImport', importId, userId: admin.userId, uploadKey, status: 'pending', requestedAt: new Date().toISOString() } }));

    // Act
    await runImport(importId);

    // Assess
    const job = (await scanTable()).find((i) => i.pk === `groupimport#${importId}`) as Rec;
    expect(job.report.identity).toEqual({ mode: 'kept', reason: 'verified signature from deployment Eu', deployment: 'Eu' });
    const listed = await api('GET', `/api/groups/${job.report.groups[0].id}/memberships`, { cookie: admin.cookie });
    expect((listed.body.items as Rec[]).map((m) => m.user?.id ?? m.userId).sort()).toEqual([admin.userId, members[0]!.userId].sort());
  });
});
