import { describe, expect, it } from 'vitest';
import { api, waitFor } from '../../scripts/test-support/api.ts';
import { createGroup, groupWithMembers } from '../../scripts/test-support/groups.ts';

type Listed = { items: Array<{ title: string; url: string }> };
const titles = async (cookie: string) => ((await api<Listed>('GET', '/api/notifications', { cookie })).body.items).map((n) => n.title);

describe('notification history', () => {
  it('stops naming a thread, and its poll, once they move to a group the person is not in', async () => {
    // Prepare: a member is mentioned in a thread with a poll, then the admin moves it to another group.
    const { admin, group, members } = await groupWithMembers(1);
    const member = members[0]!;
    const elsewhere = await createGroup(admin.cookie, { privacy: 'secret' });
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Rent strike plan' } })).body;
    const poll = await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, discussionId: thread.id, title: 'Strike in March?', type: 'proposal', closingAt: new Date(Date.now() + 7 * 86_400_000).toISOString() } });
    expect(poll.status).toBe(201);
    // Positive control: the notification is there while the person may see the poll.
    await waitFor(async () => (await titles(member.cookie)).some((t) => t.includes('Strike in March?')), 'the new-poll notification');

    // Act
    expect((await api('POST', `/api/discussions/${thread.id}/move`, { cookie: admin.cookie, body: { groupId: elsewhere.id } })).status).toBe(200);

    // Assess
    const after = await api('GET', '/api/notifications', { cookie: member.cookie });
    expect(after.status).toBe(200);
    expect(JSON.stringify(after.body)).not.toMatch(/Strike in March\?|Rent strike plan/);
  });
});
