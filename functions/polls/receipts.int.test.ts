import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { POLL_TYPES } from '../../shared/polls/schemas.ts';
import { canonicalReceipt, receiptFingerprint, recount, results } from '../../shared/polls/index.ts';
import { count, parseBlt } from '../../shared/elections/index.ts';
import { api, scanBallotTable, scanTable } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, groupWithMembers } from '../../scripts/test-support/groups.ts';

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function startPoll(cookie: string, groupId: string, body: Record<string, unknown>) {
  const response = await api('POST', '/api/polls', { cookie, body: { groupId, title: 'Secret ballot', closingAt: inAWeek(), anonymous: true, ...body } });
  if (response.status !== 201) throw new Error(`create poll answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

const vote = (cookie: string, pollId: string, body: Record<string, unknown>) => api('PUT', `/api/polls/${pollId}/vote`, { cookie, body });

/** For each type that can be anonymous: how to start one, and two different valid ballots. */
const shapes: Record<(typeof POLL_TYPES)[number], { extra: Record<string, unknown>; ballots: [Record<string, unknown>, Record<string, unknown>] }> = {
  proposal: { extra: {}, ballots: [{ choices: { option: 'agree' } }, { choices: { option: 'disagree' }, reason: 'Changed my mind' }] },
  check: { extra: {}, ballots: [{ choices: { option: 'looks_good' } }, { choices: { option: 'concerned' } }] },
  count: { extra: {}, ballots: [{ choices: { option: 'yes' } }, { choices: { option: 'no' } }] },
  poll: { extra: { options: ['Red', 'Green', 'Blue'], settings: { maxChoices: 2 } }, ballots: [{ choices: { options: ['o1', 'o2'] } }, { choices: { options: ['o3'] } }] },
  dot_vote: { extra: { options: ['A', 'B'], settings: { dots: 8 } }, ballots: [{ choices: { scores: { o1: 5, o2: 3 } } }, { choices: { scores: { o2: 8 } } }] },
  score: { extra: { options: ['A', 'B'], settings: { min: 0, max: 5 } }, ballots: [{ choices: { scores: { o1: 1, o2: 4 } } }, { choices: { scores: { o1: 5, o2: 0 } } }] },
  ranked_choice: { extra: { options: ['A', 'B', 'C'], settings: { rankCount: 2 } }, ballots: [{ choices: { ranking: ['o1', 'o2'] } }, { choices: { ranking: ['o3', 'o1'] } }] },
  meeting: { extra: { options: ['2030-01-01', '2030-01-02'] }, ballots: [{ choices: { answers: { o1: 'yes', o2: 'no' } } }, { choices: { answers: { o1: 'maybe', o2: 'yes' } } }] },
  question: { extra: {}, ballots: [{ choices: {}, reason: 'First answer' }, { choices: {}, reason: 'Second answer' }] },
  election: {
    extra: { options: ['Ana', 'Ben', 'Cy'], settings: { method: 'stv-scottish', seats: 1 } },
    ballots: [{ choices: { ranking: ['o1', 'o2'] } }, { choices: { ranking: ['o3', 'o2', 'o1'] } }],
  },
};

async function publishedList(cookie: string, pollId: string) {
  const items: Array<{ fingerprint: string; choices: unknown; reason: string | null }> = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await api('GET', `/api/polls/${pollId}/ballots${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { cookie });
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

const keyOf = (pollId: string) => `poll#${pollId.split('.')[1]}`;

describe('receipts for anonymous ballots', () => {
  it.each(POLL_TYPES.map((t) => [t]))('a %s ballot is cast with a receipt, changed with it, refused a second time without it, and found in the published list after closing', async (type) => {
    const { admin, group, members } = await groupWithMembers(2);
    const shape = shapes[type];
    const poll = await startPoll(admin.cookie, group.id, { type, ...shape.extra });
    expect(poll.usesReceipts).toBe(true);
    const [voter, other] = members as [(typeof members)[0], (typeof members)[0]];

    const first = await vote(voter.cookie, poll.id, shape.ballots[0]);
    expect(first.status).toBe(200);
    const receipt = first.body.receipt as string;
    expect(receipt).toMatch(/^([A-Z2-7]{4}-){7}[A-Z2-7]{4}$/);
    expect(first.body.myVote.choices).toEqual(shape.ballots[0].choices);
    const fingerprint = await receiptFingerprint(canonicalReceipt(receipt)!);

    // Only the fingerprint is stored, as the ballot's key; the receipt itself is nowhere.
    const box = (await scanBallotTable()).filter((i) => i.pk === keyOf(poll.id));
    expect(box.map((i) => i.sk).sort()).toEqual([`ballot#${fingerprint}`, 'tally']);
    expect(JSON.stringify([...box, ...(await scanTable())])).not.toContain(canonicalReceipt(receipt)!);

    // Without the receipt a second vote is refused, and says how to change it.
    const again = await vote(voter.cookie, poll.id, shape.ballots[1]);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('receipt_required');
    expect(again.body.error.message).toMatch(/receipt/);
    // A receipt of the wrong form, or one that matches nothing, is refused naming the field.
    for (const wrong of ['not a receipt', 'A'.repeat(32), '\u{1F600}'.repeat(40), 'B'.repeat(100_000)]) {
      const refused = await vote(voter.cookie, poll.id, { ...shape.ballots[1], receipt: wrong });
      expect([413, 422]).toContain(refused.status);
      if (refused.status === 422) expect(Object.keys(refused.body.error.fields)).toEqual(['receipt']);
    }

    // With it (pasted with spaces and in lower case, as people do), the ballot changes in place.
    const changed = await vote(voter.cookie, poll.id, { ...shape.ballots[1], receipt: ` ${receipt.toLowerCase().replace(/-/g, ' ')} ` });
    expect(changed.status).toBe(200);
    expect(changed.body.receipt).toBe(receipt);
    expect(changed.body.results?.voters ?? 1).toBe(1);
    const lookedUp = await api('POST', `/api/polls/${poll.id}/receipt`, { cookie: voter.cookie, body: { receipt } });
    expect(lookedUp.status).toBe(200);
    expect(lookedUp.body.myVote.choices).toEqual(shape.ballots[1].choices);
    expect(lookedUp.body.fingerprint).toBe(fingerprint);

    // Another voter's receipt is theirs alone: theirs is a different ballot.
    const second = await vote(other.cookie, poll.id, shape.ballots[0]);
    expect(second.status).toBe(200);
    expect(second.body.receipt).not.toBe(receipt);

    // Nothing is published while the poll is open.
    expect((await api('GET', `/api/polls/${poll.id}/ballots`, { cookie: voter.cookie })).body.error.code).toBe('poll_open');
    expect((await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie })).status).toBe(200);

    const list = await publishedList(voter.cookie, poll.id);
    expect(list).toHaveLength(2);
    expect(list.map((b) => b.fingerprint)).toEqual(list.map((b) => b.fingerprint).sort());
    const mine = list.find((b) => b.fingerprint === fingerprint);
    expect(mine?.choices).toEqual(shape.ballots[1].choices);

    // The totals shown are a recount of the published list.
    const shown = (await api('GET', `/api/polls/${poll.id}`, { cookie: voter.cookie })).body;
    // Answers and reasons are shown sorted by content, so the order says nothing about when anyone voted.
    const ballots = list.map((b) => ({ choices: b.choices as never, reason: b.reason })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const recounted = results(shown, recount(shown, ballots), { eligibleVoters: shown.results.eligibleVoters, ballots: ballots.map((ballot) => ({ voterName: 'Anonymous', ballot })) });
    expect(JSON.parse(JSON.stringify(recounted))).toEqual(shown.results);
  });

  it('withdraws an anonymous ballot only with its receipt, and then lets its voter vote afresh', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const voter = members[0]!;
    const { receipt } = (await vote(voter.cookie, poll.id, { choices: { option: 'block' } })).body;
    const without = await api('DELETE', `/api/polls/${poll.id}/vote`, { cookie: voter.cookie });
    expect(without.status).toBe(409);
    expect(without.body.error.code).toBe('receipt_required');
    expect((await api('DELETE', `/api/polls/${poll.id}/vote`, { cookie: voter.cookie, body: { receipt } })).status).toBe(204);
    const after = (await api('GET', `/api/polls/${poll.id}`, { cookie: voter.cookie })).body;
    expect(after.hasVoted).toBe(false);
    expect(after.results.voters).toBe(0);
    expect(after.results.options.find((o: { id: string }) => o.id === 'block').voters).toBe(0);
    expect((await scanBallotTable()).filter((i) => i.pk === keyOf(poll.id) && String(i.sk).startsWith('ballot#'))).toHaveLength(0);
    // The old receipt is spent; a new vote takes a new one.
    expect((await api('POST', `/api/polls/${poll.id}/receipt`, { cookie: voter.cookie, body: { receipt } })).status).toBe(422);
    const fresh = await vote(voter.cookie, poll.id, { choices: { option: 'agree' } });
    expect(fresh.status).toBe(200);
    expect(fresh.body.receipt).not.toBe(receipt);
  });

  it('refuses a receipt on a poll that is not anonymous, naming the field', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: false });
    const refused = await vote(admin.cookie, poll.id, { choices: { option: 'agree' }, receipt: 'A'.repeat(32) });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.error.fields)).toEqual(['receipt']);
    expect((await api('GET', `/api/polls/${poll.id}/ballots`, { cookie: admin.cookie })).status).toBe(404);
    expect((await api('POST', `/api/polls/${poll.id}/receipt`, { cookie: admin.cookie, body: { receipt: 'A'.repeat(32) } })).status).toBe(404);
  });

  it('counts an election anyone can recount: the published list, the BLT download and npm run count agree with the result shown', async () => {
    const { admin, group } = await groupWithMembers(0);
    const voters = await addMembersDirectly(group, 12);
    const poll = await startPoll(admin.cookie, group.id, { type: 'election', options: ['Ana', 'Ben', 'Cy', 'Dee'], settings: { method: 'stv-scottish', seats: 2 } });
    const rankings = [['o1', 'o2'], ['o2', 'o1'], ['o3'], ['o4', 'o3'], ['o1', 'o3']];
    for (const [i, v] of voters.entries()) expect((await vote(v.cookie, poll.id, { choices: { ranking: rankings[i % rankings.length] } })).status).toBe(200);
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    const list = await publishedList(admin.cookie, poll.id);
    expect(list).toHaveLength(12);
    const blt = await (await fetch(`${inject('appUrl')}/api/polls/${poll.id}/ballots.blt`, { headers: { cookie: admin.cookie } })).text();
    const parsed = parseBlt(blt);
    // The BLT holds exactly the published ballots.
    const fromList = new Map<string, number>();
    for (const b of list) {
      const key = (b.choices as { ranking: string[] }).ranking.map((id) => Number(id.slice(1))).join(' ');
      fromList.set(key, (fromList.get(key) ?? 0) + 1);
    }
    expect(new Map(parsed.ballots.map((b) => [b.ranks.map((r) => Number(r) + 1).join(' '), b.weight]))).toEqual(fromList);
    const shown = (await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body;
    const elected = count('stv-scottish', parsed).elected;
    expect(elected).toHaveLength(2);
    expect(elected).toEqual(shown.results.election.elected);
    // And the command-line recount of the downloaded file says the same.
    const file = join(mkdtempSync(join(tmpdir(), 'moot-recount-')), 'ballots.blt');
    writeFileSync(file, blt);
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/count.ts', file, '--method', 'stv-scottish']);
    for (const name of elected) expect(stdout).toContain(name);
  });
});

describe('anonymous ballots under load', () => {
  it('takes 200 parallel anonymous votes as 200 ballots and an exact tally', async () => {
    const { admin, group } = await groupWithMembers(0);
    const voters = await addMembersDirectly(group, 200);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const options = ['agree', 'disagree', 'abstain', 'block'];
    const answers = await Promise.all(voters.map((v, i) => vote(v.cookie, poll.id, { choices: { option: options[i % 4] } })));
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.receipt)).size).toBe(200);
    const ballots = (await scanBallotTable()).filter((i) => i.pk === keyOf(poll.id) && String(i.sk).startsWith('ballot#'));
    expect(ballots).toHaveLength(200);
    const shown = (await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body;
    expect(shown.results.voters).toBe(200);
    for (const option of options) expect(shown.results.options.find((o: { id: string }) => o.id === option).voters).toBe(50);
  });

  it('leaves one ballot and an exact tally after 20 parallel changes with one receipt', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const voter = members[0]!;
    const { receipt } = (await vote(voter.cookie, poll.id, { choices: { option: 'agree' } })).body;
    const options = ['agree', 'disagree', 'abstain', 'block'];
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => vote(voter.cookie, poll.id, { choices: { option: options[i % 4] }, receipt })));
    expect(answers.map((a) => a.status).filter((s) => s !== 200)).toEqual([]);
    const ballots = (await scanBallotTable()).filter((i) => i.pk === keyOf(poll.id) && String(i.sk).startsWith('ballot#'));
    expect(ballots).toHaveLength(1);
    const shown = (await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body;
    expect(shown.results.voters).toBe(1);
    const counted = shown.results.options.filter((o: { voters: number }) => o.voters === 1).map((o: { id: string }) => o.id);
    expect(counted).toEqual([(ballots[0]!.choices as { option: string }).option]);
  });
});

describe('what the server writes to its logs about an anonymous vote', () => {
  it('holds no request body: no reason, no choice text, no receipt and no fingerprint, whether the vote succeeds or is refused', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'poll', options: ['Left', 'Right'], settings: { maxChoices: 1 } });
    const reason = `LoggedReason${randomBytes(6).toString('hex')}`;
    const cast = await vote(members[0]!.cookie, poll.id, { choices: { option: 'o1' }, reason });
    expect(cast.status).toBe(200);
    const receipt = cast.body.receipt as string;
    const fingerprint = await receiptFingerprint(canonicalReceipt(receipt)!);
    // Refused ways in: malformed, without the receipt, a receipt of the wrong shape, and a withdrawal with it.
    await vote(members[0]!.cookie, poll.id, { choices: { option: 'o2' }, reason: `${reason}again` });
    await vote(members[0]!.cookie, poll.id, { choices: { option: 'nope' }, reason, receipt });
    await api('POST', `/api/polls/${poll.id}/receipt`, { cookie: members[0]!.cookie, body: { receipt } });
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: `{"choices":{"option":"o1"},"reason":"${reason}","receipt":"${receipt}"` as never });
    await api('DELETE', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: { receipt } });

    const log = readFileSync(inject('logFile'), 'utf8');
    expect(log).toContain('DynamoDB usage');
    for (const secret of [reason, receipt, canonicalReceipt(receipt)!, fingerprint]) expect(log).not.toContain(secret);
  });
});
