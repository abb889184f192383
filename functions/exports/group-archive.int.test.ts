import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { api, rawTable, scanBallotTable, scanTable, signIn, useStackEnv, waitFor } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, createGroup, groupWithMembers } from '../../scripts/test-support/groups.ts';
import { exportGroup, uploadArchive } from '../../scripts/test-support/archives.ts';

type Rec = Record<string, any>;
const s3 = () => new S3Client({ endpoint: inject('s3Endpoint'), region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const uploadExists = (key: string) => s3().send(new HeadObjectCommand({ Bucket: 'moot-uploads', Key: key })).then(() => true, () => false);
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

/** Rewrites an archive's manifest to match its records, as a tool that edits archives on purpose would. */
function reseal(records: Rec[]): Buffer {
  const body = records.filter((r) => r.type !== 'manifest').map((r) => `${JSON.stringify(r)}\n`).join('');
  const manifest = { ...records.at(-1), records: records.length, recordsSha256: createHash('sha256').update(body).digest('hex') };
  return gzipSync(body + `${JSON.stringify(manifest)}\n`);
}

async function importArchive(cookie: string, gz: Buffer) {
  const uploadKey = await uploadArchive(cookie, gz);
  const requested = await api('POST', '/api/imports', { cookie, body: { uploadKey } });
  expect(requested.status).toBe(202);
  const finished = await waitFor(async () => {
    const status = await api('GET', `/api/imports/${requested.body.id}`, { cookie });
    return ['done', 'rejected'].includes(status.body.status) ? status.body : null;
  }, 'the import');
  return { ...finished, uploadKey };
}

async function startPoll(cookie: string, groupId: string, body: Rec) {
  const response = await api('POST', '/api/polls', { cookie, body: { groupId, title: `A ${body.type} poll`, closingAt: inAWeek(), ...body } });
  if (response.status !== 201) throw new Error(`create poll answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}
const vote = async (cookie: string, pollId: string, choices: unknown, reason?: string) => {
  const response = await api('PUT', `/api/polls/${pollId}/vote`, { cookie, body: { choices, ...(reason ? { reason } : {}) } });
  if (response.status !== 200) throw new Error(`vote answered ${response.status}: ${JSON.stringify(response.body)}`);
};

/** A group with a subgroup, threads with replies, reactions, read state, an attachment, every poll type (anonymous too), and outcomes. */
async function richGroup() {
  const { admin, group, members } = await groupWithMembers(2);
  const bulk = await addMembersDirectly(group, 2);
  const voters = [admin.cookie, ...members.map((m) => m.cookie), ...bulk.map((b) => b.cookie)];
  const sub = await createGroup(admin.cookie, { name: 'Working party', parentId: group.id });
  const subThread = (await api('POST', `/api/groups/${sub.id}/discussions`, { cookie: admin.cookie, body: { title: 'Sub thread', description: 'In the *subgroup*' } })).body;
  await api('POST', `/api/discussions/${subThread.id}/comments`, { cookie: admin.cookie, body: { body: 'Sub comment' } });

  const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Budget <2030>', description: 'Let us **decide** & <script>alert(1)</script>' } })).body;
  const first = (await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: members[0]!.cookie, body: { body: 'First, with =SUM(A1) and "quotes"' } })).body;
  await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'A reply', parentId: first.id } });
  await api('PATCH', `/api/comments/${first.id}`, { cookie: members[0]!.cookie, body: { body: 'First, edited' } });
  await api('PUT', '/api/reactions', { cookie: admin.cookie, body: { subject: { type: 'comment', id: first.id }, emoji: 'heart' } });
  await api('PUT', '/api/reactions', { cookie: members[1]!.cookie, body: { subject: { type: 'discussion', id: thread.id }, emoji: 'heart' } });
  await api('POST', `/api/discussions/${thread.id}/read`, { cookie: members[1]!.cookie, body: { ranges: [[1, 2]] } });

  const bytes = Buffer.from('%PDF-1.4 a tiny file\n');
  const upload = await api('POST', '/api/uploads', { cookie: admin.cookie, body: { filename: 'minutes.pdf', contentType: 'application/pdf', size: bytes.length } });
  const form = new FormData();
  for (const [k, v] of Object.entries(upload.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'application/pdf' }), 'minutes.pdf');
  await fetch(upload.body.url, { method: 'POST', body: form });
  expect((await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Minutes attached', attachmentIds: [upload.body.uploadId] } })).status).toBe(201);

  const kinds: Array<[Rec, (i: number) => unknown]> = [
    [{ type: 'proposal', discussionId: thread.id }, (i) => ({ option: i % 2 ? 'agree' : 'abstain' })],
    [{ type: 'check' }, () => ({ option: 'looks_good' })],
    [{ type: 'count' }, (i) => ({ option: i % 2 ? 'yes' : 'no' })],
    [{ type: 'poll', options: ['Red', 'Green', 'Blue'], settings: { maxChoices: 2 } }, (i) => ({ options: i % 2 ? ['o1', 'o2'] : ['o3'] })],
    [{ type: 'dot_vote', options: ['A', 'B'], settings: { dots: 8 } }, () => ({ scores: { o1: 5, o2: 3 } })],
    [{ type: 'score', options: ['A', 'B'], settings: { min: 0, max: 5 } }, (i) => ({ scores: { o1: i % 6, o2: 2 } })],
    [{ type: 'ranked_choice', options: ['A', 'B', 'C'], settings: { rankCount: 2 } }, (i) => ({ ranking: i % 2 ? ['o1', 'o2'] : ['o3', 'o1'] })],
    [{ type: 'meeting', options: ['2030-05-01T09:00:00Z', '2030-05-02T09:00:00Z'] }, (i) => ({ answers: { o1: 'yes', o2: i % 2 ? 'maybe' : 'no' } })],
    [{ type: 'question' }, () => ({})],
    [{ type: 'election', anonymous: true, options: ['Ana', 'Ben', 'Cy'], settings: { method: 'stv-scottish', seats: 1 } }, (i) => ({ ranking: i % 2 ? ['o1', 'o2'] : ['o2', 'o3', 'o1'] })],
    [{ type: 'proposal', anonymous: true }, (i) => ({ option: i % 3 ? 'agree' : 'disagree' })],
  ];
  for (const [body, choices] of kinds) {
    const poll = await startPoll(admin.cookie, group.id, body);
    for (const [i, cookie] of voters.entries()) await vote(cookie, poll.id, choices(i), body.type === 'question' ? `Answer ${i}` : undefined);
    if (body.type === 'proposal' && !body.anonymous) {
      await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
      expect((await api('POST', `/api/polls/${poll.id}/outcome`, { cookie: admin.cookie, body: { statement: 'We **agreed**', optionId: 'agree' } })).status).toBe(201);
    }
    if (body.type === 'election') await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
  }
  return { admin, group, sub, members, thread };
}

/**
 * Normalises an archive for comparison: ids of the first Moot become the second's through the
 * import report's id map; any other id (invitations, exports) becomes "ID"; handles follow the
 * report; the records of the export and import themselves are left out; order within a type is free.
 */
function normalise(records: Rec[], ids: Record<string, string>, handles: Record<string, string>, side: 'before' | 'after'): Record<string, string[]> {
  const known = new Set(Object.values(ids));
  const mapString = (s: string) => s.replace(/[A-Za-z0-9_-]{22}/g, (token) => (side === 'before' ? ids[token] ?? 'ID' : known.has(token) ? token : 'ID'));
  const walk = (v: unknown, key = ''): unknown => {
    if (typeof v === 'string') return key === 'handle' || key === 'groupHandle' ? handles[v] ?? v : mapString(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [mapString(k), walk(x, k)]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    return v;
  };
  const byType: Record<string, string[]> = {};
  for (const r of records.slice(1, -1)) {
    if (r.type === 'event' && ['GroupExportRequested', 'GroupImported'].includes(r.kind)) continue;
    (byType[r.type] ??= []).push(JSON.stringify(walk(r)));
  }
  for (const list of Object.values(byType)) list.sort();
  byType.manifestFiles = (records.at(-1)!.files as Rec[]).map((f) => JSON.stringify(walk(f))).sort();
  return byType;
}

describe('group export', () => {
  it('builds the archive, CSV files and an offline HTML page for an admin, with emails and without secrets', async () => {
    // Prepare
    const { admin, group, members } = await groupWithMembers(1);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'T <b>', description: '<img src=x onerror=alert(1)> **bold**' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: members[0]!.cookie, body: { body: '=HYPERLINK("x")' } });
    await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });

    // Act
    const { status, records, gz } = await exportGroup(admin.cookie, group.id);

    // Assess
    expect(records[0]).toMatchObject({ format: 'moot-group-export', version: 2, groupId: group.id });
    const manifest = records.at(-1)!;
    expect(manifest).toMatchObject({ type: 'manifest', records: records.length });
    const text = gunzipSync(gz).toString('utf8');
    expect(manifest.recordsSha256).toBe(createHash('sha256').update(text.slice(0, text.lastIndexOf('{"type":"manifest"'))).digest('hex'));
    expect(records.filter((r) => r.type === 'member').map((r) => r.email).sort()).toEqual([admin.email, members[0]!.email].sort());
    expect(records.map((r) => r.type)).toEqual(expect.arrayContaining(['group', 'member', 'thread', 'item', 'event']));
    expect(text).not.toMatch(/"(pk|sk|gsi1pk|gsi1sk|tokenHash|joinTokenHash|sessionHash|ip)":/);
    expect(Object.keys(status.links).sort()).toEqual(['archive', 'comments.csv', 'html', 'members.csv', 'outcomes.csv', 'polls.csv', 'threads.csv', 'votes.csv']);
    const page = await (await fetch(status.links.html)).text();
    expect(page).toContain('<strong>bold</strong>');
    expect(page).not.toMatch(/<script|<img/i);
    expect(page).toContain('T &lt;b&gt;');
    expect(page).toContain("default-src 'none'");
    const comments = await (await fetch(status.links['comments.csv'])).text();
    expect(comments.split('\r\n')[0]).toBe('group_handle,thread_id,seq,parent_seq,author_id,author_name,created_at,edited_at,deleted_at,body');
    expect(comments).toContain(`'=HYPERLINK(""x"")`);
    expect(manifest.companions.map((c: Rec) => c.name).sort()).toEqual(['archive.html', 'comments.csv', 'members.csv', 'outcomes.csv', 'polls.csv', 'threads.csv', 'votes.csv']);
    const audit = await api('GET', `/api/groups/${group.id}/audit?kind=GroupExportRequested`, { cookie: admin.cookie });
    expect(audit.body.items).toHaveLength(1);
  });

  it.each([
    ['a member who is not an admin', 403],
    ['an outsider of a secret group', 404],
  ])('refuses %s with %i, and shows an export only to the admin who asked', async (who, code) => {
    const { admin, group, members } = await groupWithMembers(1, { privacy: 'secret' });
    const cookie = who.startsWith('a member') ? members[0]!.cookie : (await signIn()).cookie;
    expect((await api('POST', `/api/groups/${group.id}/exports`, { cookie })).status).toBe(code);
    const mine = await api('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie });
    expect((await api('GET', `/api/exports/${mine.body.id}`, { cookie })).status).toBe(404);
  });
});

describe('a group export that keeps failing', () => {
  it('is retried, then marked failed after its third attempt, and shows as failed to the admin who asked', async () => {
    useStackEnv();
    const { buildGroupExport } = await import('./group-export.ts');
    // The admin's job is for their group (reads re-check that they are still its admin); its event names
    // a group that is gone, so every build fails. No event is recorded: the test is the worker.
    const { admin, group } = await groupWithMembers(0);
    const groupId = group.id;
    const exportId = createHash('sha256').update(`failing${Date.now()}`).digest('base64url').slice(0, 22);
    const goneId = createHash('sha256').update(`gone${Date.now()}`).digest('base64url').slice(0, 22);
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `groupexport#${exportId}`, sk: 'job', gsi1pk: `groupexports#${groupId}#${admin.userId}`, gsi1sk: `${new Date().toISOString()}#${exportId}`, type: 'groupExport', exportId, groupId, requestedBy: admin.userId, status: 'pending', requestedAt: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 3600 } }));
    const event = { eventId: 'e', kind: 'GroupExportRequested' as const, at: new Date().toISOString(), data: { groupId: goneId, exportId } };

    await expect(buildGroupExport(event)).rejects.toThrow(/gone/);
    await expect(buildGroupExport(event)).rejects.toThrow(/gone/);
    expect((await api('GET', `/api/exports/${exportId}`, { cookie: admin.cookie })).body.status).toBe('pending');
    await buildGroupExport(event);
    await buildGroupExport(event);

    const status = await api('GET', `/api/exports/${exportId}`, { cookie: admin.cookie });
    expect(status.body).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
    expect(status.body).not.toHaveProperty('links');
    expect((await scanTable()).find((i) => i.pk === `groupexport#${exportId}`)).toMatchObject({ attempts: 3 });
  });
});

describe('export and import lists and limits', () => {
  it('lists an admin\u2019s own exports of a group, newest first with links once ready, and nobody else\u2019s', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    expect((await api('PATCH', `/api/memberships/${group.id}.${members[0]!.userId}`, { cookie: admin.cookie, body: { role: 'admin' } })).status).toBe(200);
    const first = await exportGroup(admin.cookie, group.id);
    const second = await api('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie });

    const mine = await api('GET', `/api/groups/${group.id}/exports`, { cookie: admin.cookie });
    const theirs = await api('GET', `/api/groups/${group.id}/exports`, { cookie: members[0]!.cookie });
    const outsider = await api('GET', `/api/groups/${group.id}/exports`, { cookie: (await signIn()).cookie });

    expect(mine.status).toBe(200);
    expect(mine.body.items.map((e: Rec) => e.id)).toEqual([second.body.id, first.status.id]);
    expect(mine.body.items[1]).toMatchObject({ status: 'ready', links: { archive: expect.any(String) } });
    expect(theirs.body.items).toEqual([]);
    expect(outsider.status).toBe(403);
  });

  it('allows five exports of one group an hour, then answers 429 with Retry-After, and records none past the limit', async () => {
    const { admin, group } = await groupWithMembers(0);
    const answers = await Promise.all(Array.from({ length: 7 }, () => api('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie })));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(2);
    expect(Number(refused[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
    const jobs = (await scanTable()).filter((i) => i.type === 'groupExport' && i.groupId === group.id);
    expect(jobs).toHaveLength(5);
  });

  it('lists a person\u2019s imports newest first, paged with a signed cursor, and refuses a sixth in an hour', async () => {
    const { admin, group } = await groupWithMembers(0);
    const { gz } = await exportGroup(admin.cookie, group.id);
    const importer = await signIn();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const requested = await api('POST', '/api/imports', { cookie: importer.cookie, body: { uploadKey: await uploadArchive(importer.cookie, gz) } });
      expect(requested.status).toBe(202);
      ids.unshift(requested.body.id);
    }
    const sixth = await api('POST', '/api/imports', { cookie: importer.cookie, body: { uploadKey: await uploadArchive(importer.cookie, gz) } });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);

    const listed = await api('GET', '/api/imports', { cookie: importer.cookie });
    expect(listed.body.items.map((i: Rec) => i.id)).toEqual(ids);
    expect(listed.body.cursor).toBeNull();
    expect((await api('GET', '/api/imports', { cookie: admin.cookie })).body.items.map((i: Rec) => i.id)).not.toContain(ids[0]);
    expect((await api('GET', '/api/imports?cursor=forged.cursor', { cookie: importer.cookie })).status).toBe(400);
  });
});

describe('group import', () => {
  it('round-trips a whole group: export, import, export again gives the same content, ids aside', async () => {
    // Prepare
    const { admin, group, sub } = await richGroup();
    const first = await exportGroup(admin.cookie, group.id);
    expect(first.records.filter((r) => r.type === 'group')).toHaveLength(2);
    expect(first.records.filter((r) => r.type === 'poll')).toHaveLength(11);
    expect(first.records.filter((r) => r.type === 'file')).toHaveLength(1);
    const anonymous = first.records.filter((r) => r.type === 'ballot' && first.records.find((p) => p.type === 'poll' && p.pollId === r.pollId)?.poll.anonymous);
    expect(anonymous.length).toBeGreaterThan(0);
    expect(anonymous.every((b) => !('voterId' in b) && !('castAt' in b))).toBe(true);
    // An anonymous ballot leaves by its receipt's fingerprint and nothing else, in fingerprint order.
    for (const b of anonymous) expect(Object.keys(b).sort()).toEqual(['choices', 'fingerprint', 'pollId', 'reason', 'type']);
    const byPoll = Map.groupBy(anonymous, (b) => b.pollId as string);
    for (const ballots of byPoll.values()) expect(ballots.map((b) => b.fingerprint)).toEqual(ballots.map((b) => b.fingerprint).sort());

    // Act
    const report = await importArchive(admin.cookie, first.gz);
    expect(report.status).toBe('done');
    const root = report.report.groups[0];
    const second = await exportGroup(admin.cookie, root.id);

    // Assess
    expect(report.report.groups).toHaveLength(2);
    // addMembersDirectly writes no email-lookup items, so its two people are created anew; the rest are matched.
    expect(report.report.identity.mode).toBe('kept');
    expect(report.report.people).toMatchObject({ matched: 3, created: 2, withoutEmail: 0, placeholders: 0 });
    const handles = Object.fromEntries(report.report.groups.map((g: Rec) => [first.records.find((r) => r.type === 'group' && r.groupId === g.sourceId)!.handle, g.handle]));
    const before = normalise(first.records, report.report.ids, handles, 'before');
    const after = normalise(second.records, report.report.ids, handles, 'after');
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const type of Object.keys(before)) expect(after[type], type).toEqual(before[type]);
    // The imported group works in the app: listed for its admin, its poll results and attachment readable.
    const mine = await api('GET', '/api/groups', { cookie: admin.cookie });
    expect(JSON.stringify(mine.body)).toContain(root.id);
    const subgroup = await api('GET', `/api/groups/${report.report.groups[1].id}`, { cookie: admin.cookie });
    expect(subgroup.status).toBe(200);
    expect(sub.id).not.toBe(report.report.groups[1].id);
    // Anonymous ballots arrive in the ballot table under the same fingerprints, so receipts still find them.
    const fingerprints = (records: Rec[]) => records.filter((r) => r.type === 'ballot' && 'fingerprint' in r).map((r) => r.fingerprint).sort();
    expect(fingerprints(second.records)).toEqual(fingerprints(first.records));
    const box = (await scanBallotTable()).map((i) => String(i.sk).slice('ballot#'.length));
    for (const f of fingerprints(first.records)) expect(box).toContain(f);
    expect((await scanTable()).filter((i) => String(i.sk).startsWith('ballot#') && fingerprints(first.records).includes(String(i.sk).slice('ballot#'.length)))).toEqual([]);
  });

  it('exports an anonymous poll that is still open without its votes, so two exports a vote apart show nothing of that vote', async () => {
    const { admin, group, members } = await groupWithMembers(2);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: true });
    await vote(members[0]!.cookie, poll.id, { option: 'agree' });
    const before = await exportGroup(admin.cookie, group.id);
    await vote(members[1]!.cookie, poll.id, { option: 'block' }, 'My secret view');
    const after = await exportGroup(admin.cookie, group.id);
    const pollId = poll.id.split('.')[1];
    const votes = (records: Rec[]) => records.filter((r) => r.pollId === pollId && r.type !== 'event').map((r) => (r.type === 'poll' ? { tally: r.tally, type: 'poll' } : r));
    expect(votes(after.records)).toEqual(votes(before.records));
    expect(after.records.filter((r) => r.pollId === pollId && ['ballot', 'voter'].includes(r.type))).toEqual([]);
    expect(JSON.stringify(after.records)).not.toContain('My secret view');
  });

  it("imports a version 1 archive's anonymous ballots into the ballot table under fingerprints nobody holds, with the same totals", async () => {
    const { admin, group } = await groupWithMembers(2);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: true });
    await vote(admin.cookie, poll.id, { option: 'agree' });
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    const { records } = await exportGroup(admin.cookie, group.id);
    // A version 1 archive: anonymous ballots had a version and no fingerprint.
    const v1 = records.map((r) => (r.type === 'ballot' ? (({ fingerprint: _f, ...rest }) => ({ ...rest, version: 1 }))(r) : r));
    const result = await importArchive(admin.cookie, reseal([{ ...v1[0], version: 1 }, ...v1.slice(1)]));
    expect(result.status).toBe('done');
    const imported = result.report.ids[poll.id.split('.')[1]!] as string;
    expect(imported).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const shown = await api('GET', `/api/polls/${result.report.groups[0].id}.${imported}`, { cookie: admin.cookie });
    expect(shown.status).toBe(200);
    expect(shown.body.usesReceipts).toBe(true);
    expect(shown.body.results.voters).toBe(1);
    expect(shown.body.results.options.find((o: Rec) => o.id === 'agree').voters).toBe(1);
    const box = (await scanBallotTable()).filter((i) => i.pk === `poll#${imported}` && String(i.sk).startsWith('ballot#'));
    expect(box).toHaveLength(1);
    expect(String(box[0]!.sk)).toMatch(/^ballot#[0-9a-f]{64}$/);
  });

  it.each([
    ['a changed record', (records: Rec[]) => gzipSync(records.map((r) => JSON.stringify(r.type === 'item' ? { ...r, body: 'forged' } : r)).join('\n') + '\n'), /SHA-256/],
    ['an unknown schema version', (records: Rec[]) => reseal([{ ...records[0], version: 99 }, ...records.slice(1)]), /version 99/],
    ['a truncated last line', (records: Rec[]) => gzipSync(records.map((r) => JSON.stringify(r)).join('\n').slice(0, -20)), /cut off|truncated/],
    ['a cut gzip stream', (records: Rec[]) => reseal(records).subarray(0, 200), /gzip|truncated/],
    ['a missing manifest', (records: Rec[]) => gzipSync(records.slice(0, -1).map((r) => `${JSON.stringify(r)}\n`).join('')), /no manifest/],
    ['a tally that does not match its ballots', (records: Rec[]) => reseal(records.map((r) => (r.type === 'poll' ? { ...r, tally: { ...r.tally, voters: r.tally.voters + 1 } } : r))), /tally/],
    ['a poll whose closing time is not a time', (records: Rec[]) => reseal(records.map((r) => (r.type === 'poll' ? { ...r, poll: { ...r.poll, closingAt: '9z' } } : r))), /closingAt is not a time/],
    ['an anonymous ballot that names its voter', (records: Rec[]) => reseal(records.map((r) => (r.type === 'ballot' ? { ...r, voterId: 'someone' } : r))), /names its voter/],
    ['an anonymous ballot without a fingerprint', (records: Rec[]) => reseal(records.map((r) => (r.type === 'ballot' ? { ...r, fingerprint: 'abc' } : r))), /fingerprint/],
  ])('rejects %s with a clear report and writes nothing', async (_, damage, reason) => {
    const { admin, group } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: true });
    await vote(admin.cookie, poll.id, { option: 'agree' });
    // Closed, so its ballots are in the archive (an open anonymous poll leaves without them).
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Kept' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Original' } });
    const { records } = await exportGroup(admin.cookie, group.id);

    const result = await importArchive(admin.cookie, damage(records));

    expect(result.status).toBe('rejected');
    expect(result.report.problems.join(' ')).toMatch(reason);
    expect(await uploadExists(result.uploadKey)).toBe(false);
    const newRoot = createHash('sha256').update(`${result.id}|${group.id}`).digest('base64url').slice(0, 22);
    expect((await scanTable()).filter((i) => String(i.pk).includes(newRoot))).toEqual([]);
  });

  it('schedules an imported open poll\u2019s closing and closing-soon notice, and an outcome\u2019s review still ahead', async () => {
    const { admin, group } = await groupWithMembers(0);
    const open = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const decided = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    await api('POST', `/api/polls/${decided.id}/close`, { cookie: admin.cookie });
    const reviewOn = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    expect((await api('POST', `/api/polls/${decided.id}/outcome`, { cookie: admin.cookie, body: { statement: 'Done', reviewOn } })).status).toBe(201);
    const { gz, records } = await exportGroup(admin.cookie, group.id);
    expect(records.find((r) => r.type === 'outcome')).not.toHaveProperty('dueKind');

    const result = await importArchive(admin.cookie, gz);

    const items = await scanTable();
    // API poll ids carry their group: `<groupId>.<pollId>`.
    const newOpen = result.report.ids[open.id.split('.')[1]];
    const newDecided = result.report.ids[decided.id.split('.')[1]];
    const due = items.filter((i) => i.pk === `poll#${newOpen}` && String(i.sk).startsWith('due#')).map((i) => [i.sk, i.dueKind]).sort();
    expect(due).toEqual([['due#close', 'closePoll'], ['due#soon', 'pollClosingSoon']]);
    expect(items.find((i) => i.pk === `poll#${newDecided}` && i.sk === 'outcome')).toMatchObject({ gsi2pk: 'due', dueKind: 'outcomeReview', gsi2sk: `${reviewOn}T09:00:00.000Z#outcome#${newDecided}` });
    expect(items.some((i) => i.pk === `poll#${newDecided}` && String(i.sk).startsWith('due#'))).toBe(false);
  });

  it('takes no keys or index attributes from an archive, so a crafted one cannot list items for others or feed the scheduler', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Plain' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Plain comment' } });
    const victim = await signIn();
    const { records } = await exportGroup(admin.cookie, group.id);
    const crafted = records.map((r) => {
      if (r.type === 'thread') return { ...r, gsi1pk: `memberof#${victim.userId}`, gsi1sk: 'group#planted', pk: 'user#planted', sk: 'profile' };
      if (r.type === 'item') return { ...r, gsi2pk: 'due', gsi2sk: '2000-01-01T00:00:00.000Z#planted', dueKind: 'closePoll', expiresAt: 1 };
      return r;
    });

    const result = await importArchive(admin.cookie, reseal(crafted));

    expect(result.status).toBe('done');
    const items = await scanTable();
    expect(items.filter((i) => i.gsi1pk === `memberof#${victim.userId}`)).toEqual([]);
    expect(items.filter((i) => String(i.gsi2sk).includes('planted') || i.pk === 'user#planted')).toEqual([]);
    const newThread = result.report.ids[thread.id.split('.')[1]];
    expect(items.find((i) => i.pk === `discussion#${newThread}` && i.sk === 'thread')).toMatchObject({ gsi1pk: `threads#${result.report.groups[0].id}` });
  });

  it('creates no account for an address an edited archive adds, makes no one a member but the importer, who is its admin', async () => {
    const { admin, group } = await groupWithMembers(0);
    const { records } = await exportGroup(admin.cookie, group.id);
    const stranger = `stranger-${Date.now()}@example.org`;
    const strangerId = 'S'.repeat(22);
    const edited = [...records.slice(0, 2), { type: 'member', groupId: group.id, userId: strangerId, role: 'admin', title: null, name: 'Stranger', email: stranger, joinedAt: '2020-01-01T00:00:00.000Z', via: 'invitation' }, ...records.slice(2)];
    const importer = await signIn();

    const result = await importArchive(importer.cookie, reseal(edited));

    expect(result.status).toBe('done');
    expect(await uploadExists(result.uploadKey)).toBe(false);
    expect(result.report.identity).toEqual({ mode: 'placeholders', reason: 'signature does not match the contents' });
    expect(result.report.people).toMatchObject({ created: 0, matched: 0, placeholders: 2 });
    const members = await api('GET', `/api/groups/${result.report.groups[0].id}/memberships`, { cookie: importer.cookie });
    const roles = Object.fromEntries((members.body.items as Rec[]).map((m) => [m.email ?? m.user?.email, m.role]));
    expect(roles).toEqual({ [importer.email]: 'admin' });
    const items = await scanTable();
    expect(items.filter((i) => i.type === 'user' && i.email === stranger)).toEqual([]);
  });

  it('resumes an import that stopped midway and ends with exactly one copy, invisible until published', async () => {
    // Prepare: an archive with enough items for several batches, and an import job with no event (the test runs the worker).
    useStackEnv();
    const { runImport } = await import('./group-import.ts');
    const { admin, group } = await groupWithMembers(0);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Many' } })).body;
    for (let i = 0; i < 250; i += 25) await Promise.all(Array.from({ length: 25 }, (_, j) => api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: `Comment ${i + j}` } })));
    const { records, gz } = await exportGroup(admin.cookie, group.id);
    const uploadKey = await uploadArchive(admin.cookie, gz);
    const importId = createHash('sha256').update(`${Date.now()}`).digest('base64url').slice(0, 22);
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `groupimport#${importId}`, sk: 'job', type: 'groupImport', importId, userId: admin.userId, uploadKey, status: 'pending', requestedAt: new Date().toISOString() } }));
    const newGroup = createHash('sha256').update(`${importId}|${group.id}`).digest('base64url').slice(0, 22);
    const newThread = createHash('sha256').update(`${importId}|${thread.id.split('.')[1]}`).digest('base64url').slice(0, 22);

    // Act 1: the worker dies after two batches.
    await expect(runImport(importId, { afterBatch: (n) => { if (n === 2) throw new Error('killed'); } })).rejects.toThrow('killed');

    // Assess 1: part of it is staged, none of it is reachable.
    let items = await scanTable();
    expect(items.filter((i) => i.pk === `discussion#${newThread}` && String(i.sk).startsWith('item#')).length).toBeGreaterThan(0);
    expect(items.some((i) => i.type === 'handle' && i.groupId === newGroup)).toBe(false);
    expect(items.some((i) => i.gsi1pk === `memberof#${admin.userId}` && i.gsi1sk === `group#${newGroup}`)).toBe(false);
    expect(JSON.stringify((await api('GET', '/api/groups', { cookie: admin.cookie })).body)).not.toContain(newGroup);

    // Act 2: it runs again, and once more after it finished.
    await runImport(importId);
    await runImport(importId);

    // Assess 2: exactly the archive's items, once.
    items = await scanTable();
    const timeline = items.filter((i) => i.pk === `discussion#${newThread}` && String(i.sk).startsWith('item#'));
    expect(timeline).toHaveLength(records.filter((r) => r.type === 'item').length);
    expect(items.filter((i) => i.pk === `group#${newGroup}` && String(i.sk).startsWith('member#'))).toHaveLength(1);
    expect(items.filter((i) => i.type === 'handle' && i.groupId === newGroup)).toHaveLength(1);
    expect(items.find((i) => i.pk === `discussion#${newThread}` && i.sk === 'thread')).toMatchObject({ commentCount: 250, seq: 250 });
    expect(items.filter((i) => i.pk === `group#${newGroup}` && i.sk === 'group')[0]).toMatchObject({ memberCount: 1, adminCount: 1 });
    expect(items.find((i) => i.pk === `groupimport#${importId}`)).toMatchObject({ status: 'done' });
    expect(JSON.stringify((await api('GET', '/api/groups', { cookie: admin.cookie })).body)).toContain(newGroup);
  });
});
