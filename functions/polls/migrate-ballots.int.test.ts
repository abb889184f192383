import { createHash, createHmac } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { api, rawTable, scanBallotTable, scanTable, useStackEnv } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';

// The migration runs here, in the test process, against the stack's tables, as an operator would run it.
beforeAll(() => useStackEnv());

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const vote = (cookie: string, pollId: string, body: Record<string, unknown>) => api('PUT', `/api/polls/${pollId}/vote`, { cookie, body });

/**
 * An anonymous poll as the code before receipts kept it: ballots in the main table beside the
 * has-voted markers, each under an HMAC of its voter, and the full totals on the poll.
 */
async function legacyPoll() {
  const { admin, group, members } = await groupWithMembers(3);
  const created = await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Old secret', closingAt: inAWeek(), anonymous: true } });
  const pollApiId = created.body.id as string;
  const pollId = pollApiId.split('.')[1]!;
  const choices = ['agree', 'disagree', 'agree'];
  for (const [i, m] of members.entries()) expect((await vote(m.cookie, pollApiId, { choices: { option: choices[i] }, reason: `Old reason ${i}` })).status).toBe(200);
  const TableName = inject('tableName');
  const BallotTable = inject('ballotTableName');
  const box = (await scanBallotTable()).filter((i) => i.pk === `poll#${pollId}`);
  const tally = box.find((i) => i.sk === 'tally')!.tally;
  const table = rawTable();
  for (const [i, b] of box.filter((i) => String(i.sk).startsWith('ballot#')).entries()) {
    await table.send(new DeleteCommand({ TableName: BallotTable, Key: { pk: b.pk, sk: b.sk } }));
    const legacyKey = createHmac('sha256', 'an-old-ballot-secret').update(`ballot|${pollId}|${members[i]!.userId}`).digest('base64url');
    await table.send(new PutCommand({ TableName, Item: { pk: b.pk, sk: `ballot#${legacyKey}`, type: 'ballot', choices: b.choices, reason: b.reason, version: 1 } }));
  }
  await table.send(new DeleteCommand({ TableName: BallotTable, Key: { pk: `poll#${pollId}`, sk: 'tally' } }));
  await table.send(new UpdateCommand({ TableName, Key: { pk: `poll#${pollId}`, sk: 'poll' }, UpdateExpression: 'SET tally = :t REMOVE ballotBox', ExpressionAttributeValues: { ':t': tally } }));
  return { admin, members, pollApiId, pollId };
}

const resultsOf = async (cookie: string, pollApiId: string) => (await api('GET', `/api/polls/${pollApiId}`, { cookie })).body;

describe('moving anonymous ballots made before receipts into the ballot table', () => {
  it('moves every ballot under a fingerprint nothing maps back, keeps the totals, and still refuses a second vote', async () => {
    const { admin, members, pollApiId, pollId } = await legacyPoll();
    const before = await resultsOf(admin.cookie, pollApiId);
    expect(before.usesReceipts).toBe(false);
    const { migrateAnonymousBallots } = await import('./migrate-ballots.ts');

    const report = await migrateAnonymousBallots();

    expect(report.polls).toBeGreaterThanOrEqual(1);
    const after = await resultsOf(admin.cookie, pollApiId);
    expect(after.usesReceipts).toBe(true);
    expect(after.results).toEqual(before.results);
    expect((await scanTable()).filter((i) => i.pk === `poll#${pollId}` && String(i.sk).startsWith('ballot#'))).toEqual([]);
    const moved = (await scanBallotTable()).filter((i) => i.pk === `poll#${pollId}` && String(i.sk).startsWith('ballot#'));
    expect(moved).toHaveLength(3);
    expect(moved.map((b) => (b.choices as { option: string }).option).sort()).toEqual(['agree', 'agree', 'disagree']);
    // No key derives from a voter under any secret, old or current, or none.
    const secrets = ['an-old-ballot-secret', process.env.SIGNING_SECRET, process.env.BALLOT_SECRET].filter((s): s is string => Boolean(s));
    for (const m of members) {
      const derived = [
        createHash('sha256').update(`ballot|${pollId}|${m.userId}`).digest('hex'),
        ...secrets.flatMap((secret) => ['hex', 'base64url'].map((encoding) => createHmac('sha256', secret).update(`ballot|${pollId}|${m.userId}`).digest(encoding as 'hex'))),
      ];
      for (const b of moved) {
        expect(String(b.sk)).toMatch(/^ballot#[0-9a-f]{64}$/);
        expect(derived).not.toContain(String(b.sk).slice('ballot#'.length));
        expect(Object.keys(b).sort()).toEqual(['choices', 'pk', 'reason', 'rev', 'sk', 'type']);
      }
    }
    // Those who voted before cannot vote again (they hold no receipt); a member who has not voted gets one.
    const again = await vote(members[0]!.cookie, pollApiId, { choices: { option: 'block' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('receipt_required');
    const fresh = await vote(admin.cookie, pollApiId, { choices: { option: 'block' } });
    expect(fresh.status).toBe(200);
    expect(fresh.body.receipt).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(fresh.body.results.voters).toBe(4);

    // A second run finds nothing left to move.
    const poll = (await scanTable()).find((i) => i.pk === `poll#${pollId}` && i.sk === 'poll')!;
    expect(poll.ballotBox).toBe(true);
    expect(poll).not.toHaveProperty('migratingBallots');
  });

  it('finishes a run that stopped midway: what it put in the ballot table is replaced, never doubled', async () => {
    const { admin, pollApiId, pollId } = await legacyPoll();
    const before = await resultsOf(admin.cookie, pollApiId);
    // An interrupted run: the poll locked, and one ballot already copied into the box.
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: `poll#${pollId}`, sk: 'poll' }, UpdateExpression: 'SET migratingBallots = :t', ExpressionAttributeValues: { ':t': true } }));
    await rawTable().send(new PutCommand({ TableName: inject('ballotTableName'), Item: { pk: `poll#${pollId}`, sk: `ballot#${'0'.repeat(64)}`, type: 'ballot', choices: { option: 'agree' }, reason: null, rev: 'x' } }));
    // Meanwhile the poll takes no vote, and says why.
    const during = await vote(admin.cookie, pollApiId, { choices: { option: 'agree' } });
    expect(during.status).toBe(409);
    expect(during.body.error.code).toBe('busy');
    const { migrateAnonymousBallots } = await import('./migrate-ballots.ts');

    await migrateAnonymousBallots();

    const moved = (await scanBallotTable()).filter((i) => i.pk === `poll#${pollId}` && String(i.sk).startsWith('ballot#'));
    expect(moved).toHaveLength(3);
    expect(moved.map((b) => b.sk)).not.toContain(`ballot#${'0'.repeat(64)}`);
    expect((await resultsOf(admin.cookie, pollApiId)).results).toEqual(before.results);
  });
});
