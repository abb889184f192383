import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { canonicalReceipt, receiptFingerprint } from '../../shared/polls/index.ts';
import { api, scanBallotTable, scanTable, waitFor } from '../../scripts/test-support/api.ts';
import { allEmails, allStoredObjects, byteTargets, linkageMessages, logLines, matchDigests, streamRecords, streamsOf } from '../../scripts/test-support/anonymity.ts';
import { exportGroup, type ArchiveRecord } from '../../scripts/test-support/archives.ts';
import { addMembersDirectly, groupWithMembers } from '../../scripts/test-support/groups.ts';
import { hmac } from '../lib/crypto.ts';

// The proof of SECURITY.md's anonymous-ballot promise (issue 15): 50 members vote in an anonymous
// poll, some change their minds with their receipts, one withdraws, the poll closes and is
// exported. Then the test plays an operator who holds everything (both tables whole, the main
// table's stream, the log, every stored object, every email, the export and every secret) and
// tries every way it knows to say who cast which ballot.

const MEMBERS = 50;
const CHANGES = 10;
const OPTIONS = ['Parks', 'Roads', 'Schools', 'Libraries', 'Transit'];

interface Member {
  userId: string;
  email: string;
  name: string;
  sessionId: string;
  sessionHash: string;
  cookie: string;
}

interface Cast {
  member: Member;
  receipt: string;
  canonical: string;
  fingerprint: string;
  choices: { options: string[] };
  reason: string | null;
}

const words = ['on balance', 'for the long run', 'it costs less', 'more people gain', 'we agreed before', 'the evidence says so', 'it can wait', 'it cannot wait'];

/** A reason that says nothing about who wrote it, with a random tag so the test can look for it. */
const reasonFor = () => (randomInt(4) === 0 ? null : `${words[randomInt(words.length)]}, ${words[randomInt(words.length)]} (${randomBytes(6).toString('hex')})`);
/**
 * A long reason in a script of three bytes a character, as someone writing Chinese might give:
 * its ballot is bigger than a kilobyte, where most are a few hundred bytes.
 */
const longReason = () => `${Array.from({ length: 440 }, () => String.fromCodePoint(0x4e00 + randomInt(0x5000))).join('')} (${randomBytes(6).toString('hex')})`;

/** One or two of the five options, at random. */
function choicesFor(): { options: string[] } {
  const first = randomInt(OPTIONS.length);
  const second = randomInt(OPTIONS.length);
  return { options: [...new Set([`o${first + 1}`, `o${second + 1}`])] };
}

function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const json = (value: unknown) => JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v));

/** Everything the operator took, and what the test knows (which it hides from the operator's checks). */
let taken: {
  pollId: string;
  pollApiId: string;
  groupId: string;
  members: Member[];
  /** Each member's first ballot, in the order they voted. */
  firstCasts: Cast[];
  /** The ballots in the box at close, by fingerprint. */
  final: Map<string, Cast>;
  /** Every reason, fingerprint and receipt that ever existed, the withdrawn and the changed-away included. */
  everReasons: string[];
  everFingerprints: string[];
  receipts: string[];
  mainItems: Record<string, unknown>[];
  ballotItems: Record<string, unknown>[];
  stream: _Record[];
  ballotStreams: Awaited<ReturnType<typeof streamsOf>>;
  logs: string[];
  /** The lines this test's requests logged, in order. */
  ownLogs: string[];
  /** Where, in the order people voted, the one long (over a kilobyte) ballot came. */
  longReasonAt: number;
  objects: Awaited<ReturnType<typeof allStoredObjects>>;
  emails: unknown[];
  archive: ArchiveRecord[];
  companions: Array<{ name: string; text: string }>;
  /** What the app itself shows an admin after the close: the audit trail (JSON and CSV), the results CSV, the poll. */
  reports: Array<{ name: string; text: string }>;
  published: Array<{ fingerprint: string; choices: unknown; reason: string | null }>;
  secrets: Record<string, string>;
};

const vote = (cookie: string, pollId: string, body: Record<string, unknown>) => api('PUT', `/api/polls/${pollId}/vote`, { cookie, body });

beforeAll(async () => {
  const logStart = logLines().length;
  const { admin, group } = await groupWithMembers(0);
  const people = await addMembersDirectly(group, MEMBERS);
  const members: Member[] = people.map(({ userId, cookie }, i) => {
    const sessionId = cookie.slice(`moot_session=${userId}.`.length);
    return { userId, cookie, sessionId, email: `bulk-${userId.toLowerCase()}@example.org`, name: `Member ${i}`, sessionHash: createHash('sha256').update(sessionId).digest('base64url') };
  });
  const created = await api('POST', '/api/polls', {
    cookie: admin.cookie,
    body: { groupId: group.id, type: 'poll', title: 'Where should next year\u2019s budget go?', options: OPTIONS, settings: { maxChoices: 2 }, anonymous: true, closingAt: new Date(Date.now() + 7 * 86_400_000).toISOString() },
  });
  expect(created.status).toBe(201);
  const pollApiId = created.body.id as string;
  const pollId = pollApiId.split('.')[1]!;

  const everReasons: string[] = [];
  const everFingerprints: string[] = [];
  const receipts: string[] = [];
  const firstCasts: Cast[] = [];
  // One at a time, in a random order, so the order they voted in is known exactly.
  const order = shuffled(members);
  const writer = order[randomInt(1, MEMBERS - 1)]!;
  for (const member of order) {
    const choices = choicesFor();
    const reason = member === writer ? longReason() : reasonFor();
    const cast = await vote(member.cookie, pollApiId, { choices, ...(reason ? { reason } : {}) });
    expect(cast.status).toBe(200);
    const receipt = cast.body.receipt as string;
    const canonical = canonicalReceipt(receipt)!;
    const fingerprint = await receiptFingerprint(canonical);
    firstCasts.push({ member, receipt, canonical, fingerprint, choices, reason });
    if (reason) everReasons.push(reason);
    everFingerprints.push(fingerprint);
    receipts.push(receipt, canonical);
  }
  const final = new Map(firstCasts.map((c) => [c.fingerprint, c]));
  // Some change their minds with their receipts; the last to vote withdraws.
  for (const cast of shuffled(firstCasts).slice(0, CHANGES)) {
    const choices = choicesFor();
    const reason = reasonFor();
    const changed = await vote(cast.member.cookie, pollApiId, { choices, reason, receipt: cast.receipt });
    expect(changed.status).toBe(200);
    expect(changed.body.receipt).toBe(cast.receipt);
    if (reason) everReasons.push(reason);
    final.set(cast.fingerprint, { ...cast, choices, reason });
  }
  // One voter checks their ballot from another device with the receipt alone.
  const checker = firstCasts[randomInt(MEMBERS - 1)]!;
  const looked = await api('POST', `/api/polls/${pollApiId}/receipt`, { cookie: checker.member.cookie, body: { receipt: checker.receipt } });
  expect(looked.status).toBe(200);
  expect(looked.body.fingerprint).toBe(checker.fingerprint);
  const leaving = firstCasts.at(-1)!;
  expect((await api('DELETE', `/api/polls/${pollApiId}/vote`, { cookie: leaving.member.cookie, body: { receipt: leaving.receipt } })).status).toBe(204);
  final.delete(leaving.fingerprint);
  expect((await api('POST', `/api/polls/${pollApiId}/close`, { cookie: admin.cookie })).status).toBe(200);

  const published: Array<{ fingerprint: string; choices: unknown; reason: string | null }> = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await api('GET', `/api/polls/${pollApiId}/ballots${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { cookie: admin.cookie });
    expect(page.status).toBe(200);
    published.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);

  const text = async (path: string) => {
    const response = await fetch(`${inject('appUrl')}${path}`, { headers: { cookie: admin.cookie } });
    expect(response.status).toBe(200);
    return response.text();
  };
  const reports = [
    { name: 'audit.csv', text: await text(`/api/groups/${group.id}/audit.csv`) },
    { name: 'results.csv', text: await text(`/api/polls/${pollApiId}/results.csv`) },
    { name: 'audit', text: json((await api('GET', `/api/groups/${group.id}/audit`, { cookie: admin.cookie })).body) },
    { name: 'poll', text: json((await api('GET', `/api/polls/${pollApiId}`, { cookie: admin.cookie })).body) },
  ];

  const exportsBuilt = () => logLines().filter((l) => l.includes('"Group export built"')).length;
  const before = exportsBuilt();
  const exported = await exportGroup(admin.cookie, group.id);
  const companions: Array<{ name: string; text: string }> = [];
  for (const [name, url] of Object.entries(exported.status.links as Record<string, string>)) {
    if (name !== 'archive') companions.push({ name, text: await (await fetch(url)).text() });
  }
  // The export is the last thing the handlers do for this test: once its line is in the log, so is everything before it.
  await waitFor(async () => exportsBuilt() > before, 'the export in the log');

  taken = {
    pollId, pollApiId, groupId: group.id, members, firstCasts, final, everReasons, everFingerprints, receipts,
    mainItems: await scanTable(),
    ballotItems: await scanBallotTable(),
    stream: await streamRecords(inject('tableName')),
    ballotStreams: await streamsOf(inject('ballotTableName')),
    logs: logLines(),
    ownLogs: logLines().slice(logStart),
    longReasonAt: order.indexOf(writer),
    objects: await allStoredObjects(),
    emails: await allEmails(),
    archive: exported.records,
    companions,
    reports,
    published,
    secrets: inject('secrets'),
  };
}, 300_000);

describe('an anonymous poll, as an operator holding everything sees it', () => {
  it('keeps each ballot as its choices, its reason and a random rev under its receipt\u2019s fingerprint, and nothing more', () => {
    const { ballotItems, pollId, final, ballotStreams, secrets } = taken;
    expect(Object.values(secrets).every(Boolean)).toBe(true);
    const ours = ballotItems.filter((i) => i.pk === `poll#${pollId}`);
    const ballots = ours.filter((i) => String(i.sk).startsWith('ballot#'));
    expect(ballots).toHaveLength(MEMBERS - 1);
    expect(new Set(ballots.map((b) => String(b.sk).slice('ballot#'.length)))).toEqual(new Set(final.keys()));
    for (const b of ballots) {
      expect(Object.keys(b).sort()).toEqual(['choices', 'pk', 'reason', 'rev', 'sk', 'type']);
      const cast = final.get(String(b.sk).slice('ballot#'.length))!;
      expect({ choices: b.choices, reason: b.reason ?? null }).toEqual({ choices: cast.choices, reason: cast.reason });
      expect(b.rev).toMatch(/^[A-Za-z0-9_-]{16}$/);
    }
    expect(new Set(ballots.map((b) => b.rev)).size).toBe(ballots.length);
    // Besides the ballots, the box holds only its running totals.
    const others = ours.filter((i) => !String(i.sk).startsWith('ballot#'));
    expect(others.map((i) => i.sk)).toEqual(['tally']);
    expect(Object.keys(others[0]!).sort()).toEqual(['pk', 'sk', 'tally', 'type']);
    // And the ballot table keeps no ordered, timestamped history of its writes.
    expect(ballotStreams.specification?.StreamEnabled ?? false).toBe(false);
    expect(ballotStreams.latestStreamArn).toBeUndefined();
    expect(ballotStreams.streams).toEqual([]);
  });

  it('lists ballots in fingerprint order in a scan, in the published list and in the export, never in the order people voted', () => {
    const { ballotItems, pollId, firstCasts, final, published, archive } = taken;
    // DynamoDB Local may hand back a Scan in the order items were written: it must be key order.
    const scanned = ballotItems.filter((i) => i.pk === `poll#${pollId}` && String(i.sk).startsWith('ballot#')).map((i) => String(i.sk).slice('ballot#'.length));
    const sorted = [...final.keys()].sort();
    expect(scanned).toEqual(sorted);
    expect(published.map((b) => b.fingerprint)).toEqual(sorted);
    for (const b of published) expect(Object.keys(b).sort()).toEqual(['choices', 'fingerprint', 'reason']);
    const exported = archive.filter((r) => r.type === 'ballot' && r.pollId === pollId);
    expect(exported.map((r) => r.fingerprint)).toEqual(sorted);
    for (const r of exported) expect(Object.keys(r).sort()).toEqual(['choices', 'fingerprint', 'pollId', 'reason', 'type']);
    // Key order is the order of SHA-256 digests of random receipts, so it is independent of the
    // order people voted in by construction; the two agree with a chance of 1 in 49!.
    const voted = firstCasts.map((c) => c.fingerprint).filter((f) => final.has(f));
    expect(voted).not.toEqual(sorted);
    // Who voted, as the export tells it, is in the order of member ids, not of voting.
    const voters = archive.filter((r) => r.type === 'voter' && r.pollId === pollId).map((r) => r.userId as string);
    expect(voters).toEqual(voters.slice().sort());
    expect(new Set(voters)).toEqual(new Set(firstCasts.slice(0, -1).map((c) => c.member.userId)));
  });

  it('finds no ballot key, rev or receipt among the HMACs and SHA-256 digests of any member and the poll, under every secret of the deployment or none', () => {
    const { members, pollId, pollApiId, groupId, ballotItems, everFingerprints, firstCasts, secrets } = taken;
    const ours = ballotItems.filter((i) => i.pk === `poll#${pollId}` && String(i.sk).startsWith('ballot#'));
    const targets = byteTargets([...everFingerprints, ...ours.map((b) => String(b.rev)), ...firstCasts.map((c) => c.canonical)]);
    let tried = 0;
    const hits: string[] = [];
    for (const m of members) {
      const messages = linkageMessages([m.userId, m.email, m.name, m.sessionId, m.sessionHash, m.cookie], [pollId, pollApiId, groupId, `poll#${pollId}`]);
      const found = matchDigests(messages, secrets, targets);
      tried += found.tried;
      hits.push(...found.hits);
    }
    expect(hits).toEqual([]);
    // About a million digests, each compared on its first 12 bytes, so in any spelling (hex, base64, base32) and cut.
    expect(tried).toBeGreaterThan(MEMBERS * 10_000);
    // The search does find a key made the way anonymous ballots were keyed before receipts.
    const before = hmac(secrets.BALLOT_SECRET!, `ballot|${pollId}|${members[0]!.userId}`);
    expect(matchDigests(linkageMessages([members[0]!.userId], [pollId]), secrets, byteTargets([before])).hits).toHaveLength(1);
  }, 180_000);

  it('records in the main table and its stream who voted and how many, never which ballot: bare has-voted markers, a voter count and vote events with no actor', () => {
    const { mainItems, stream, pollId, groupId, firstCasts } = taken;
    const leaver = firstCasts.at(-1)!.member.userId;
    const partition = mainItems.filter((i) => i.pk === `poll#${pollId}`);
    const markers = partition.filter((i) => String(i.sk).startsWith('voter#'));
    expect(new Set(markers.map((m) => m.userId))).toEqual(new Set(firstCasts.slice(0, -1).map((c) => c.member.userId)));
    for (const m of markers) expect(Object.keys(m).sort()).toEqual(['pk', 'sk', 'type', 'userId']);
    expect(partition.filter((i) => String(i.sk).startsWith('ballot#'))).toEqual([]);
    // The poll counts voters; its per-option totals stay at zero while the ballot box keeps the real ones.
    const pollItem = partition.find((i) => i.sk === 'poll') as { tally: { voters: number; options: Record<string, { voters: number; total: number }> } };
    expect(pollItem.tally.voters).toBe(MEMBERS - 1);
    for (const o of Object.values(pollItem.tally.options)) expect(o).toEqual({ voters: 0, total: 0 });

    const image = (r: _Record) => (r.dynamodb?.NewImage ?? r.dynamodb?.OldImage ?? {}) as Record<string, any>;
    const keyOf = (r: _Record) => ({ pk: r.dynamodb?.Keys?.pk?.S, sk: r.dynamodb?.Keys?.sk?.S ?? '' });
    const ours = stream.filter((r) => keyOf(r).pk === `poll#${pollId}`);
    expect(ours.filter((r) => /^(ballot#|tally)/.test(keyOf(r).sk))).toEqual([]);
    for (const r of ours.filter((x) => keyOf(x).sk === 'poll')) {
      for (const img of [r.dynamodb?.OldImage, r.dynamodb?.NewImage]) {
        if (!img) continue;
        for (const o of Object.values((img.tally as any).M.options.M) as any[]) expect([o.M.voters.N, o.M.total.N]).toEqual(['0', '0']);
      }
    }
    // One marker written per first vote: a change with a receipt writes no marker, so nothing
    // in the stream tells which of the changes was whose.
    const inserted = ours.filter((r) => r.eventName === 'INSERT' && keyOf(r).sk.startsWith('voter#'));
    expect(inserted.map((r) => image(r).userId.S).sort()).toEqual(firstCasts.map((c) => c.member.userId).sort());
    for (const r of inserted) expect(Object.keys(image(r)).sort()).toEqual(['pk', 'sk', 'type', 'userId']);
    // What the operator does learn: who voted, in what order (SECURITY.md). Ballots have no order
    // to set beside it: their scan, list and export orders are key order (tested above).
    const bySequence = inserted.slice().sort((a, b) => (BigInt(a.dynamodb!.SequenceNumber!) < BigInt(b.dynamodb!.SequenceNumber!) ? -1 : 1));
    expect(bySequence.map((r) => image(r).userId.S)).toEqual(firstCasts.map((c) => c.member.userId));
    expect(ours.filter((r) => r.eventName === 'REMOVE' && keyOf(r).sk.startsWith('voter#')).map((r) => keyOf(r).sk)).toEqual([`voter#${leaver}`]);
    expect(ours.filter((r) => r.eventName === 'MODIFY' && keyOf(r).sk.startsWith('voter#'))).toEqual([]);

    // Nothing else in the poll's partition is written, and the poll item changes only its voter
    // count (each first vote and the withdrawal, never a change) and, once, its closing.
    expect(new Set(ours.map((r) => keyOf(r).sk.replace(/#.*/, '')))).toEqual(new Set(['poll', 'due', 'voter']));
    const diffs = ours
      .filter((r) => r.eventName === 'MODIFY' && keyOf(r).sk === 'poll')
      .map((r) => Object.keys(r.dynamodb!.NewImage!).filter((a) => json(r.dynamodb!.OldImage![a]) !== json(r.dynamodb!.NewImage![a])).sort().join(','));
    expect(diffs.filter((d) => d === 'tally')).toHaveLength(MEMBERS + 1);
    expect(diffs.filter((d) => d !== 'tally')).toEqual(['closedAt,gsi1pk,gsi1sk,updatedAt']);
    // Every stream record that names a member is their own account, their membership, a has-voted
    // marker, or a notification that the poll started: none is written when a vote changes.
    const ids = firstCasts.map((c) => c.member.userId);
    const naming = stream.filter((r) => {
      const text = json(r);
      return ids.some((id) => text.includes(id));
    });
    const unexpected = naming.filter((r) => {
      const sk = keyOf(r).sk;
      if (r.eventName === 'INSERT' && (sk === 'profile' || sk.startsWith('session#') || sk.startsWith('member#'))) return false;
      if (r.eventName !== 'MODIFY' && sk.startsWith('voter#')) return false;
      return !(r.eventName === 'INSERT' && sk.startsWith('notification#') && image(r).eventKind?.S === 'PollCreated');
    });
    expect(unexpected.map((r) => `${r.eventName} ${keyOf(r).pk} ${keyOf(r).sk}`)).toEqual([]);

    const voteEvents = stream.filter((r) => keyOf(r).pk === `group#${groupId}` && /^Vote/.test(image(r).kind?.S ?? '') && image(r).data?.M?.pollId?.S === pollId);
    expect(voteEvents.filter((r) => image(r).kind.S === 'VoteCast')).toHaveLength(MEMBERS + CHANGES);
    expect(voteEvents.filter((r) => image(r).kind.S === 'VoteWithdrawn')).toHaveLength(1);
    for (const r of voteEvents) {
      expect(Object.keys(image(r)).sort()).toEqual(['at', 'data', 'eventId', 'kind', 'pk', 'sk', 'type']);
      expect(Object.keys(image(r).data.M).sort()).toEqual(image(r).kind.S === 'VoteCast' ? ['anonymous', 'groupId', 'pollId'] : ['groupId', 'pollId']);
    }
  });

  it('writes nothing anywhere else that names a ballot or pairs one with a member: main table, stream, log, stored objects, email and export', () => {
    const { mainItems, stream, logs, emails, objects, archive, companions, everFingerprints, everReasons, receipts, ballotItems, pollId, members } = taken;
    const revs = ballotItems.filter((i) => i.pk === `poll#${pollId}` && String(i.sk).startsWith('ballot#')).map((b) => String(b.rev));
    // What names a ballot: its key (or the start of it), its rev, its receipt, and its reason.
    const ballotNames = [...everFingerprints, ...everFingerprints.map((f) => f.slice(0, 16)), ...revs, ...receipts, ...everReasons];
    const named = (text: string) => ballotNames.filter((n) => text.includes(n));
    // The search sees ballots where they are kept.
    expect(named(json(ballotItems)).length).toBeGreaterThan(MEMBERS);
    expect(mainItems.flatMap((i) => named(json(i)))).toEqual([]);
    expect(stream.flatMap((r) => named(json(r)))).toEqual([]);
    expect(logs.flatMap(named)).toEqual([]);
    expect(emails.flatMap((e) => named(json(e)))).toEqual([]);

    // The export carries ballots, by fingerprint, with their reasons: never on a line that names a member.
    const identifiers = members.flatMap((m) => [m.userId, m.email, m.sessionId, m.sessionHash]);
    const namesMember = (line: string) => identifiers.some((id) => line.includes(id)) || /Member \d/.test(line);
    const neverStored = [...receipts, ...revs];
    for (const { bucket, key, text } of [...objects.map((o) => ({ bucket: o.bucket, key: o.key, text: o.text })), ...companions.map((c) => ({ bucket: 'link', key: c.name, text: c.text }))]) {
      expect(neverStored.filter((n) => text.includes(n)), `${bucket}/${key}`).toEqual([]);
      for (const line of text.split('\n')) {
        if (named(line).length) expect(namesMember(line), `${bucket}/${key}: ${line.slice(0, 200)}`).toBe(false);
      }
    }
    for (const record of archive) {
      if (named(json(record)).length) expect(record.type, json(record).slice(0, 200)).toBe('ballot');
    }
    // The audit trail says votes happened, never by whom; the results name no voter.
    for (const { name, text } of taken.reports) {
      expect(neverStored.filter((n) => text.includes(n)), name).toEqual([]);
      expect(everFingerprints.filter((f) => text.includes(f)), name).toEqual([]);
      if (name !== 'poll') for (const line of text.split('\n')) if (/Vote(Cast|Withdrawn)/.test(line) || named(line).length) expect(namesMember(line), `${name}: ${line.slice(0, 200)}`).toBe(false);
    }
    const auditVotes = taken.reports.find((r) => r.name === 'audit.csv')!.text.split('\r\n').filter((l) => l.includes(taken.pollId) && /,Vote(Cast|Withdrawn),/.test(l));
    expect(auditVotes).toHaveLength(MEMBERS + CHANGES + 1);
    for (const line of auditVotes) expect(line).toMatch(/^[^,]+,Vote(Cast|Withdrawn),,,/);
  });

  it('logs no request body, and a vote\u2019s log line reads the same whatever the ballot, the one over a kilobyte included', () => {
    const { ownLogs, everReasons, receipts, longReasonAt } = taken;
    const long = everReasons.find((r) => r.length > 400)!;
    for (const line of ownLogs) {
      for (const text of [...everReasons, long.slice(0, 24), ...receipts]) expect(line.includes(text), line.slice(0, 200)).toBe(false);
    }
    // Beside the time of a has-voted marker, anything in the line that follows the ballot (its size,
    // the capacity its write consumed) would tell whose ballot it is.
    // A transaction retried after a conflict with another writer repeats itself in the line; that is noise, not the ballot.
    const same = (line: string) => {
      const { timestamp: _t, function_request_id: _r, cold_start: _c, requests: _n, operations, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return json({ ...rest, operations: (operations as string[]).filter((o, i, all) => o !== all[i - 1]) });
    };
    const firstVotes = ownLogs.filter((l) => l.includes('"routeKey":"PUT /api/polls/{id}/vote"')).slice(0, MEMBERS).map(same);
    expect(firstVotes).toHaveLength(MEMBERS);
    expect(firstVotes[longReasonAt]).toBe(firstVotes[longReasonAt - 1]);
    expect(new Set(firstVotes).size).toBe(1);
  });
});
