import { randomBytes } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { api, rawTable, scanTable, useStackEnv } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';
import { hmac } from '../lib/crypto.ts';

// Voting runs here, in the test process, against the stack's table, so the deployment's secrets
// can be changed between two votes as a rotation would change them.
const ballotSecret = randomBytes(32).toString('base64url');

beforeAll(() => useStackEnv({ BALLOT_SECRET: ballotSecret }));

/** The vote use case as a freshly started Lambda with this signing secret would run it. */
async function voteAs(signingSecret: string, voter: { userId: string; email: string }, pollId: string, option: string) {
  process.env.SIGNING_SECRET = signingSecret;
  vi.resetModules();
  const { castVote } = await import('./vote.ts');
  const { AppError } = await import('../lib/errors.ts');
  const request = {
    routeKey: 'PUT /api/polls/{id}/vote', params: { id: pollId }, query: undefined, body: { choices: { option } },
    actor: { id: voter.userId, email: voter.email, name: 'Voter', sessionHash: 'test' }, sessionId: null, ip: '198.51.100.0/24', userAgent: 'test',
  };
  try {
    const reply = await castVote(request as never);
    return { status: reply.status ?? 200, body: reply.body as { results: { voters: number } } };
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, body: null };
    throw error;
  }
}

const ballotsOf = async (pollId: string) => (await scanTable()).filter((i) => i.pk === `poll#${pollId.split('.')[1]}` && String(i.sk).startsWith('ballot#'));

async function openPoll() {
  const { admin, group, members } = await groupWithMembers(1);
  const poll = await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Rotate?', closingAt: new Date(Date.now() + 86_400_000 * 7).toISOString() } });
  expect(poll.status).toBe(201);
  return { poll: poll.body as { id: string }, voter: members[0]! };
}

describe('ballot keys', () => {
  it('keeps one ballot per voter when the signing secret rotates: the second vote changes the first', async () => {
    const { poll, voter } = await openPoll();
    expect((await voteAs('signing-before', voter, poll.id, 'agree')).status).toBe(200);
    const after = await voteAs('signing-after-rotation', voter, poll.id, 'disagree');
    expect(after.status).toBe(200);
    expect(after.body!.results.voters).toBe(1);
    const ballots = await ballotsOf(poll.id);
    expect(ballots).toHaveLength(1);
    expect(ballots[0]!.choices).toEqual({ option: 'disagree' });
  });

  it('still finds a ballot cast under the signing key before ballots had their own, and never takes a second one once it cannot', async () => {
    const { poll, voter } = await openPoll();
    const pollId = poll.id.split('.')[1]!;
    expect((await voteAs('signing-before', voter, poll.id, 'agree')).status).toBe(200);
    // Re-key the ballot as the code before ballot keys wrote it: an HMAC under the signing secret.
    const [ballot] = await ballotsOf(poll.id);
    const TableName = inject('tableName');
    await rawTable().send(new DeleteCommand({ TableName, Key: { pk: ballot!.pk, sk: ballot!.sk } }));
    await rawTable().send(new PutCommand({ TableName, Item: { ...ballot, sk: `ballot#${hmac('signing-before', `ballot|${pollId}|${voter.userId}`)}` } }));

    const changed = await voteAs('signing-before', voter, poll.id, 'abstain');
    expect(changed.status).toBe(200);
    expect(changed.body!.results.voters).toBe(1);
    expect(await ballotsOf(poll.id)).toHaveLength(1);

    // After a rotation the old ballot is out of reach; the has-voted marker still refuses a second.
    expect((await voteAs('signing-after-rotation', voter, poll.id, 'block')).status).toBe(409);
    const ballots = await ballotsOf(poll.id);
    expect(ballots).toHaveLength(1);
    expect(ballots[0]!.choices).toEqual({ option: 'abstain' });
  });
});
