import { describe, expect, it } from 'vitest';
import { api, signIn, waitFor } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, createGroup, groupWithMembers } from '../../scripts/test-support/groups.ts';
import { exportGroup } from '../../scripts/test-support/archives.ts';

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function startPoll(cookie: string, groupId: string, body: Record<string, unknown>) {
  const response = await api('POST', '/api/polls', { cookie, body: { groupId, title: 'Shall we?', type: 'proposal', closingAt: inAWeek(), ...body } });
  if (response.status !== 201) throw new Error(`create poll answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string };
}

const vote = (cookie: string, pollId: string, option: string) => api('PUT', `/api/polls/${pollId}/vote`, { cookie, body: { choices: { option } } });

const listed = async (cookie: string, groupId: string) => {
  const ids: string[] = [];
  for (const status of ['open', 'closed']) {
    const page = await api('GET', `/api/groups/${groupId}/polls?status=${status}`, { cookie });
    if (page.status === 200) ids.push(...page.body.items.map((p: { id: string }) => p.id.split('.')[1]));
  }
  return ids;
};

async function exportedPollIds(cookie: string, groupId: string): Promise<string[]> {
  const { records } = await exportGroup(cookie, groupId);
  return records.filter((r) => r.type === 'poll').map((r) => r.pollId);
}

/** A thread in one group with an open poll (one vote cast) and a closed poll with an outcome; a second group the admin runs. */
async function threadWithPolls() {
  const { admin, group: from, members } = await groupWithMembers(1);
  const to = await createGroup(admin.cookie);
  const [newcomer] = await addMembersDirectly(to, 1);
  const thread = (await api('POST', `/api/groups/${from.id}/discussions`, { cookie: admin.cookie, body: { title: 'Budget' } })).body;
  const open = await startPoll(admin.cookie, from.id, { discussionId: thread.id });
  const decided = await startPoll(admin.cookie, from.id, { discussionId: thread.id, title: 'Decided' });
  expect((await vote(members[0]!.cookie, open.id, 'agree')).status).toBe(200);
  expect((await api('POST', `/api/polls/${decided.id}/close`, { cookie: admin.cookie })).status).toBe(200);
  expect((await api('POST', `/api/polls/${decided.id}/outcome`, { cookie: admin.cookie, body: { statement: 'We agreed' } })).status).toBe(201);
  return { admin, from, to, oldMember: members[0]!, newcomer: newcomer!, thread, open, decided };
}

describe('a thread that moves takes its polls with it', () => {
  it('moves its polls, their ballots and outcomes into the new group: its members read, vote and list them, the old group\u2019s get 404', async () => {
    const { admin, from, to, oldMember, newcomer, thread, open, decided } = await threadWithPolls();
    const pollId = (id: string) => id.split('.')[1]!;
    expect((await api('POST', `/api/discussions/${thread.id}/move`, { cookie: admin.cookie, body: { groupId: to.id } })).status).toBe(200);
    const moved = { open: `${to.id}.${pollId(open.id)}`, decided: `${to.id}.${pollId(decided.id)}` };

    // The new group's members: read (the old link too), vote, list; the ballot cast before the move still counts.
    const read = await api('GET', `/api/polls/${moved.open}`, { cookie: newcomer.cookie });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: moved.open, groupId: to.id, discussionId: `${to.id}.${thread.id.split('.')[1]}` });
    expect((await api('GET', `/api/polls/${open.id}`, { cookie: newcomer.cookie })).body.id).toBe(moved.open);
    const voted = await vote(newcomer.cookie, moved.open, 'disagree');
    expect(voted.status).toBe(200);
    expect(voted.body.results.voters).toBe(2);
    expect((await listed(newcomer.cookie, to.id)).sort()).toEqual([pollId(open.id), pollId(decided.id)].sort());
    const outcome = (await api('GET', `/api/polls/${moved.decided}`, { cookie: newcomer.cookie })).body.outcome;
    expect(outcome).toMatchObject({ id: moved.decided, statement: 'We agreed' });

    // The old group's members: 404 by either id, no vote, and nothing in their lists.
    for (const id of [open.id, moved.open, decided.id, moved.decided]) {
      expect((await api('GET', `/api/polls/${id}`, { cookie: oldMember.cookie })).status).toBe(404);
      expect((await api('GET', `/api/polls/${id}/results.csv`, { cookie: oldMember.cookie })).status).toBe(404);
    }
    expect((await vote(oldMember.cookie, open.id, 'block')).status).toBe(404);
    expect((await vote(oldMember.cookie, moved.open, 'block')).status).toBe(404);
    expect((await api('DELETE', `/api/polls/${open.id}/vote`, { cookie: oldMember.cookie })).status).toBe(404);
    expect(await listed(oldMember.cookie, from.id)).toEqual([]);
    expect(await listed(admin.cookie, from.id)).toEqual([]);

    // The timeline points at the polls where they live now.
    const timeline = (await api('GET', `/api/discussions/${thread.id}`, { cookie: newcomer.cookie })).body.timeline.items;
    expect(timeline.filter((i: { kind: string }) => i.kind === 'poll').map((i: { refId: string }) => i.refId)).toEqual([moved.open, moved.decided]);
  });

  it('exports the moved polls with the new group and not with the old one', async () => {
    const { admin, from, to, thread, open, decided } = await threadWithPolls();
    expect((await api('POST', `/api/discussions/${thread.id}/move`, { cookie: admin.cookie, body: { groupId: to.id } })).status).toBe(200);
    expect(await exportedPollIds(admin.cookie, from.id)).toEqual([]);
    expect((await exportedPollIds(admin.cookie, to.id)).sort()).toEqual([open.id.split('.')[1], decided.id.split('.')[1]].sort());
  });

  it('sends a moved poll\u2019s notifications to the new group\u2019s members only', async () => {
    const { admin, to, oldMember, newcomer, thread, open } = await threadWithPolls();
    expect((await api('POST', `/api/discussions/${thread.id}/move`, { cookie: admin.cookie, body: { groupId: to.id } })).status).toBe(200);
    const movedId = `${to.id}.${open.id.split('.')[1]}`;
    expect((await api('POST', `/api/polls/${movedId}/remind`, { cookie: admin.cookie, body: { audience: 'everyone' } })).status).toBe(202);
    const reminded = (cookie: string) => api('GET', '/api/notifications', { cookie }).then((r) => (r.body.items as Array<{ title: string; url: string }>).filter((n) => n.title.includes('reminds you to vote')));
    const mine = await waitFor(async () => (await reminded(newcomer.cookie)).at(0), 'the reminder');
    expect(mine.url).toContain(`/polls/${movedId}`);
    // The reminder reached the new group; the old group's member, handled in the same batch, got none.
    expect(await reminded(oldMember.cookie)).toEqual([]);
  });

  it('refuses a poll in a thread the actor may not see with 404, not with 422 naming its group', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Hidden', private: true } })).body;
    const stranger = await signIn();
    const own = await createGroup(stranger.cookie);
    const response = await api('POST', '/api/polls', { cookie: stranger.cookie, body: { groupId: own.id, discussionId: thread.id, type: 'proposal', title: 'Probe', closingAt: inAWeek() } });
    expect(response.status).toBe(404);
    expect(JSON.stringify(response.body)).not.toContain('another group');
  });
});
