import { gunzipSync } from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { api, waitFor } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function startPoll(cookie: string, groupId: string, body: Record<string, unknown>) {
  const response = await api('POST', '/api/polls', { cookie, body: { groupId, title: 'Shall we?', type: 'proposal', closingAt: inAWeek(), ...body } });
  if (response.status !== 201) throw new Error(`create poll answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string };
}

const vote = (cookie: string, pollId: string, option: string, reason?: string) =>
  api('PUT', `/api/polls/${pollId}/vote`, { cookie, body: { choices: { option }, ...(reason ? { reason } : {}) } });

type Item = { id: string; kind: string; refId: string | null; body: string | null };
const timeline = async (threadId: string, cookie?: string) => (await api('GET', `/api/discussions/${threadId}`, cookie ? { cookie } : {})).body.timeline.items as Item[];
const votesIn = (items: Item[], pollId: string) => items.filter((i) => i.kind === 'vote' && i.refId === pollId);

/** An open group (so signed-out visitors read its public threads) with a public thread, an admin and two members. */
async function publicThread() {
  const { admin, group, members } = await groupWithMembers(2, { privacy: 'open' });
  const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Decide', private: false } })).body as { id: string };
  return { admin, group, voter: members[0]!, other: members[1]!, thread };
}

describe('votes on a poll whose results are hidden', () => {
  it('never join the thread\u2019s timeline, for members, the admin and signed-out visitors alike', async () => {
    const { admin, group, voter, thread } = await publicThread();
    const hidden = await startPoll(admin.cookie, group.id, { discussionId: thread.id, hideResults: 'until_closed' });
    const untilVoted = await startPoll(admin.cookie, group.id, { discussionId: thread.id, hideResults: 'until_voted' });
    const shown = await startPoll(admin.cookie, group.id, { discussionId: thread.id });
    expect((await vote(voter.cookie, hidden.id, 'block', 'Secret reason one')).status).toBe(200);
    expect((await vote(voter.cookie, untilVoted.id, 'block', 'Secret reason two')).status).toBe(200);
    // Positive control: a vote cast after them on a poll with results shown does appear.
    expect((await vote(voter.cookie, shown.id, 'agree', 'Open reason')).status).toBe(200);
    await waitFor(async () => votesIn(await timeline(thread.id, admin.cookie), shown.id).length === 1, 'the shown vote');
    for (const cookie of [admin.cookie, voter.cookie, undefined]) {
      const page = await api('GET', `/api/discussions/${thread.id}`, cookie ? { cookie } : {});
      expect(page.body.timeline.items.filter((i: Item) => i.kind === 'vote').map((i: Item) => i.refId)).toEqual([shown.id]);
      expect(JSON.stringify(page.body)).not.toMatch(/Secret reason|Block/);
      // Only the poll items and the shown vote took sequence numbers: no gap counts the hidden votes.
      expect(page.body.discussion.lastSeq).toBe(4);
    }
  });

  it('that joined the timeline before the results were hidden are shown only to readers who may see the votes now', async () => {
    const { admin, group, voter, other, thread } = await publicThread();
    const poll = await startPoll(admin.cookie, group.id, { discussionId: thread.id });
    expect((await vote(voter.cookie, poll.id, 'disagree', 'Earlier reason')).status).toBe(200);
    const [item] = await waitFor(async () => {
      const found = votesIn(await timeline(thread.id, admin.cookie), poll.id);
      return found.length ? found : null;
    }, 'the vote in the timeline');
    expect((await api('PATCH', `/api/polls/${poll.id}`, { cookie: admin.cookie, body: { hideResults: 'until_voted' } })).status).toBe(200);

    // The voter may see the votes (they voted); the admin, another member and a visitor may not.
    expect(votesIn(await timeline(thread.id, voter.cookie), poll.id)).toHaveLength(1);
    for (const cookie of [admin.cookie, other.cookie, undefined]) {
      const page = await api('GET', `/api/discussions/${thread.id}`, cookie ? { cookie } : {});
      expect(votesIn(page.body.timeline.items, poll.id)).toEqual([]);
      expect(JSON.stringify(page.body)).not.toContain('Earlier reason');
      const more = await api('GET', `/api/discussions/${thread.id}/events?from=1`, cookie ? { cookie } : {});
      expect(JSON.stringify(more.body)).not.toContain('Earlier reason');
    }
    // Reacting or replying to it answers as for an item that is not there.
    expect((await api('PUT', '/api/reactions', { cookie: other.cookie, body: { subject: { type: 'comment', id: item!.id }, emoji: 'heart' } })).status).toBe(404);
    const reply = await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: other.cookie, body: { body: 'Why?', parentId: item!.id } });
    expect(reply.status).toBe(422);
    expect(reply.body.error.fields).toHaveProperty('parentId');

    // Once the other member votes, they may see the votes, and the item with them.
    expect((await vote(other.cookie, poll.id, 'agree')).status).toBe(200);
    expect(votesIn(await timeline(thread.id, other.cookie), poll.id).length).toBeGreaterThanOrEqual(1);
  });

  it('are not counted in the group\u2019s poll list for readers who may not see the results', async () => {
    const { admin, group, voter } = await publicThread();
    const untilClosed = await startPoll(admin.cookie, group.id, { hideResults: 'until_closed', title: 'Until closed' });
    const untilVoted = await startPoll(admin.cookie, group.id, { hideResults: 'until_voted', title: 'Until voted' });
    const shown = await startPoll(admin.cookie, group.id, { title: 'Shown' });
    for (const p of [untilClosed, untilVoted, shown]) expect((await vote(voter.cookie, p.id, 'agree')).status).toBe(200);
    const counts = async (cookie: string) =>
      Object.fromEntries(((await api('GET', `/api/groups/${group.id}/polls?status=open`, { cookie })).body.items as Array<{ title: string; voters: number | null }>).map((p) => [p.title, p.voters]));
    expect(await counts(admin.cookie)).toEqual({ 'Until closed': null, 'Until voted': null, Shown: 1 });
    expect(await counts(voter.cookie)).toEqual({ 'Until closed': null, 'Until voted': 1, Shown: 1 });
    // Nor in the audit trail: who voted when is left out while the results are hidden.
    const audited = async () => ((await api('GET', `/api/groups/${group.id}/audit?kind=VoteCast`, { cookie: admin.cookie })).body.items as Array<{ data: { pollId: string } }>).map((e) => e.data.pollId);
    expect(await audited()).toEqual([shown.id.split('.')[1]]);
    const csv = await (await fetch(`${inject('appUrl')}/api/groups/${group.id}/audit.csv?kind=VoteCast`, { headers: { cookie: admin.cookie } })).text();
    expect(csv).not.toContain(untilClosed.id.split('.')[1]);
    expect((await api('POST', `/api/polls/${untilClosed.id}/close`, { cookie: admin.cookie })).status).toBe(200);
    const closed = (await api('GET', `/api/groups/${group.id}/polls?status=closed`, { cookie: admin.cookie })).body.items;
    expect(closed).toEqual([expect.objectContaining({ title: 'Until closed', voters: 1 })]);
    expect((await audited()).sort()).toEqual([shown.id.split('.')[1], untilClosed.id.split('.')[1]].sort());
  });

  it('leave the group export without their ballots, has-voted markers, totals or timeline items', async () => {
    const { admin, group, voter, thread } = await publicThread();
    const hidden = await startPoll(admin.cookie, group.id, { discussionId: thread.id, hideResults: 'until_voted', title: 'Hidden one' });
    const shown = await startPoll(admin.cookie, group.id, { discussionId: thread.id, title: 'Shown one' });
    expect((await vote(voter.cookie, shown.id, 'agree', 'Shown reason')).status).toBe(200);
    await waitFor(async () => votesIn(await timeline(thread.id, admin.cookie), shown.id).length === 1, 'the shown vote');
    // A vote that joined the timeline while results were shown, then hidden by tightening the setting.
    const tightened = await startPoll(admin.cookie, group.id, { discussionId: thread.id, title: 'Tightened one' });
    expect((await vote(voter.cookie, tightened.id, 'block', 'Tightened reason')).status).toBe(200);
    await waitFor(async () => votesIn(await timeline(thread.id, admin.cookie), tightened.id).length === 1, 'the tightened vote');
    expect((await api('PATCH', `/api/polls/${tightened.id}`, { cookie: admin.cookie, body: { hideResults: 'until_closed' } })).status).toBe(200);
    expect((await vote(voter.cookie, hidden.id, 'block', 'Hidden reason')).status).toBe(200);

    const requested = await api('POST', `/api/groups/${group.id}/exports`, { cookie: admin.cookie });
    expect(requested.status).toBe(202);
    const ready = await waitFor(async () => {
      const status = await api('GET', `/api/exports/${requested.body.id}`, { cookie: admin.cookie });
      return status.body.status === 'ready' ? status.body : null;
    }, 'the export');
    const gz = Buffer.from(await (await fetch(ready.links.archive)).arrayBuffer());
    const text = gunzipSync(gz).toString('utf8');
    const records = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    const pollIdOf = (id: string) => id.split('.')[1];
    for (const p of [hidden, tightened]) {
      expect(records.filter((r) => ['ballot', 'voter'].includes(r.type) && r.pollId === pollIdOf(p.id))).toEqual([]);
      expect(records.find((r) => r.type === 'poll' && r.pollId === pollIdOf(p.id)).tally.voters).toBe(0);
      expect(records.filter((r) => r.type === 'item' && r.kind === 'vote' && String(r.refId).endsWith(pollIdOf(p.id)!))).toEqual([]);
    }
    expect(text).not.toMatch(/Hidden reason|Tightened reason/);
    expect(records.filter((r) => r.type === 'event' && r.kind === 'VoteCast' && [hidden, tightened].some((p) => r.data.pollId === pollIdOf(p.id)))).toEqual([]);
    // Positive control: the poll with results shown keeps its ballot and its vote in the timeline.
    expect(records.filter((r) => r.type === 'ballot' && r.pollId === pollIdOf(shown.id))).toHaveLength(1);
    expect(text).toContain('Shown reason');
    expect(records.filter((r) => r.type === 'event' && r.kind === 'VoteCast' && r.data.pollId === pollIdOf(shown.id))).toHaveLength(1);
  });
});
