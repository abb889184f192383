import { randomBytes } from 'node:crypto';
import { PutCommand, QueryCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { api, rawTable, signIn, useStackEnv } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, groupWithMembers } from '../../scripts/test-support/groups.ts';

// A thread's or poll's own volume comes before the group's. The local stream poller delivers the
// events; the fan-out is also called here directly where its reads are counted.
let fanOut: typeof import('./fan-out.ts');
let clients: typeof import('../lib/clients.ts');

beforeAll(async () => {
  useStackEnv({ SIGNING_SECRET: process.env.SIGNING_SECRET ?? randomBytes(32).toString('base64url'), SES_RATE_PER_SECOND: '1000' });
  [fanOut, clients] = await Promise.all([import('./fan-out.ts'), import('../lib/clients.ts')]);
});

// Long enough for a stream backlog left by earlier files of the run; it returns as soon as `done` holds.
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 45_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 800));
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function storedMail(address: string) {
  const store = (await (await fetch(`${inject('mailUrl')}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; subject: string }> };
  return store.emails.filter((e) => e.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}
const mailAbout = async (address: string, about: string) => (await storedMail(address)).filter((e) => e.subject.includes(about));

const notesOf = async (cookie: string, kind: string) =>
  ((await api('GET', '/api/notifications', { cookie })).body.items as Array<{ kind: string; title: string }>).filter((n) => n.kind === kind);

/** A group with an admin and `count` members ("Member 0" …, handles member-0 …), each with a session. */
async function groupOf(count: number) {
  const { admin, group } = await groupWithMembers(0);
  const people = await addMembersDirectly(group, count);
  const members = people.map((p, i) => ({ ...p, email: `bulk-${p.userId.toLowerCase()}@example.org`, name: `Member ${i}` }));
  return { admin, group, members };
}

const startThread = async (cookie: string, groupId: string, title: string) => {
  const response = await api('POST', `/api/groups/${groupId}/discussions`, { cookie, body: { title } });
  expect(response.status).toBe(201);
  return response.body as { id: string };
};
const comment = (cookie: string, threadId: string, body: string) => api('POST', `/api/discussions/${threadId}/comments`, { cookie, body: { body } });
const setThreadVolume = (cookie: string, threadId: string, volume: string) => api('PUT', `/api/discussions/${threadId}/volume`, { cookie, body: { volume } });
const setPollVolume = (cookie: string, pollId: string, volume: string) => api('PUT', `/api/polls/${pollId}/volume`, { cookie, body: { volume } });

describe('a thread\'s own volume', () => {
  it('muted, silences a comment there in-app and by email for that member (even with the group loud), while another member still hears it', async () => {
    const { admin, group, members } = await groupOf(2);
    const [muter, other] = [members[0]!, members[1]!];
    const thread = await startThread(admin.cookie, group.id, 'Roof repairs');
    await api('PUT', `/api/groups/${group.id}/volume`, { cookie: muter.cookie, body: { volume: 'loud' } });

    const muted = await setThreadVolume(muter.cookie, thread.id, 'mute');

    expect(muted).toMatchObject({ status: 200, body: { id: thread.id, volume: 'mute' } });
    expect((await api('GET', `/api/discussions/${thread.id}`, { cookie: muter.cookie })).body.discussion.myVolume).toBe('mute');
    expect((await api('GET', `/api/discussions/${thread.id}`, { cookie: other.cookie })).body.discussion.myVolume).toBeNull();
    expect((await comment(admin.cookie, thread.id, 'Quotes are in, @member-0 and @member-1.')).status).toBe(201);
    await eventually(() => mailAbout(other.email, 'Roof repairs'), (m) => m.length > 0);
    await settle();
    expect(await mailAbout(other.email, 'Roof repairs')).toHaveLength(1);
    expect(await notesOf(other.cookie, 'CommentCreated')).toHaveLength(1);
    expect(await mailAbout(muter.email, 'Roof repairs')).toHaveLength(0);
    expect(await notesOf(muter.cookie, 'CommentCreated')).toHaveLength(0);
  });

  it('loud, emails that member every comment there though the group is normal; `group` removes it', async () => {
    const { admin, group, members } = await groupOf(2);
    const [loud, normal] = [members[0]!, members[1]!];
    const thread = await startThread(admin.cookie, group.id, 'Allotments');
    expect((await setThreadVolume(loud.cookie, thread.id, 'loud')).body).toEqual({ id: thread.id, volume: 'loud' });

    await comment(admin.cookie, thread.id, 'First plot is free.');
    await comment(admin.cookie, thread.id, 'Second plot too.');
    await eventually(() => mailAbout(loud.email, 'Allotments'), (m) => m.length >= 2);
    await settle();
    expect(await mailAbout(loud.email, 'Allotments')).toHaveLength(2);
    expect(await notesOf(loud.cookie, 'CommentCreated')).toHaveLength(2);
    expect(await mailAbout(normal.email, 'Allotments')).toHaveLength(0);
    expect(await notesOf(normal.cookie, 'CommentCreated')).toHaveLength(0);

    expect((await setThreadVolume(loud.cookie, thread.id, 'group')).body).toEqual({ id: thread.id, volume: null });
    expect((await api('GET', `/api/discussions/${thread.id}`, { cookie: loud.cookie })).body.discussion.myVolume).toBeNull();
    expect((await rawTable().send(new QueryCommand({ TableName: inject('tableName'), KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)', ExpressionAttributeValues: { ':pk': `discussion#${thread.id.split('.')[1]}`, ':v': 'volume#' } }))).Items).toEqual([]);
    await comment(admin.cookie, thread.id, 'Third plot is taken.');
    await settle();
    await settle();
    expect(await mailAbout(loud.email, 'Allotments')).toHaveLength(2);
  });

  it('lets only members who can see the thread choose: outsiders and strangers get 404, a bad value 422', async () => {
    const { admin, group, members } = await groupOf(1);
    const thread = await startThread(admin.cookie, group.id, 'Open thread');
    const outsider = await signIn();
    expect((await setThreadVolume(outsider.cookie, thread.id, 'mute')).status).toBe(404);
    expect((await setThreadVolume(outsider.cookie, `${group.id}.${'x'.repeat(22)}`, 'mute')).status).toBe(404);
    expect((await setThreadVolume(members[0]!.cookie, thread.id, 'silent')).status).toBe(422);
    expect((await api('PUT', `/api/discussions/${thread.id}/volume`, { body: { volume: 'mute' } })).status).toBe(401);
    // A removed member may no longer choose.
    expect((await api('DELETE', `/api/memberships/${group.id}.${members[0]!.userId}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await setThreadVolume(members[0]!.cookie, thread.id, 'mute')).status).toBe(404);
  });
});

describe('a poll\'s own volume', () => {
  it('muted, keeps a reminder from that member only; the poll view returns it; `group` removes it; outsiders get 404', async () => {
    const { admin, group, members } = await groupOf(2);
    const [muter, other] = [members[0]!, members[1]!];
    const poll = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, title: 'New kettle?', type: 'proposal', closingAt: inAWeek() } })).body as { id: string };
    const outsider = await signIn();
    expect((await setPollVolume(outsider.cookie, poll.id, 'mute')).status).toBe(404);
    expect((await setPollVolume(muter.cookie, poll.id, 'nope')).status).toBe(422);

    expect((await setPollVolume(muter.cookie, poll.id, 'mute')).body).toEqual({ id: poll.id, volume: 'mute' });
    expect((await api('GET', `/api/polls/${poll.id}`, { cookie: muter.cookie })).body.myVolume).toBe('mute');
    expect((await api('POST', `/api/polls/${poll.id}/remind`, { cookie: admin.cookie, body: {} })).status).toBe(202);
    await eventually(() => mailAbout(other.email, 'Reminder: New kettle?'), (m) => m.length > 0);
    await settle();
    expect(await mailAbout(muter.email, 'New kettle?')).toHaveLength(0);
    expect(await notesOf(muter.cookie, 'PollReminderRequested')).toHaveLength(0);

    expect((await setPollVolume(muter.cookie, poll.id, 'group')).body).toEqual({ id: poll.id, volume: null });
    expect((await api('GET', `/api/polls/${poll.id}`, { cookie: muter.cookie })).body.myVolume).toBeNull();
  });
});

describe('the fan-out\'s reads', () => {
  /** Counts the fan-out's DynamoDB reads for one comment event, by command. */
  async function readsFor(count: number) {
    const { admin, group, members } = await groupOf(count);
    const thread = await startThread(admin.cookie, group.id, `Counted ${count}`);
    const threadId = thread.id.split('.')[1]!;
    // Half the members set their own volume on the thread: the overrides are still one Query.
    for (const m of members.filter((_, i) => i % 2 === 0)) {
      await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `discussion#${threadId}`, sk: `volume#${m.userId}`, type: 'itemVolume', userId: m.userId, volume: 'loud', updatedAt: new Date().toISOString() } }));
    }
    const posted = (await comment(admin.cookie, thread.id, 'Counting.')).body as { id: string };
    const send = vi.spyOn(clients.db, 'send');
    try {
      const result = await fanOut.fanOut({
        eventId: `${new Date().toISOString()}#count${count}${randomBytes(3).toString('hex')}`,
        kind: 'CommentCreated',
        actorId: admin.userId,
        at: new Date().toISOString(),
        data: { groupId: group.id, discussionId: threadId, seq: Number(posted.id.split('.')[2]), authorId: admin.userId, parentAuthorId: null, mentionedUserIds: [] } as never,
      });
      const commands = send.mock.calls.map(([command]) => command);
      const queries = commands.filter((c) => c instanceof QueryCommand) as QueryCommand[];
      return {
        notified: result.notified,
        queries: queries.length,
        overrideQueries: queries.filter((q) => q.input.ExpressionAttributeValues?.[':volume'] === 'volume#').length,
        batchGets: commands.filter((c) => c instanceof BatchGetCommand).length,
      };
    } finally {
      send.mockRestore();
    }
  }

  it('reads every override of the item with one Query per event, and no more reads for more recipients', async () => {
    const few = await readsFor(4);
    const many = await readsFor(40);

    expect(few.notified).toBe(2);
    expect(many.notified).toBe(20);
    expect(few.overrideQueries).toBe(1);
    expect(many.overrideQueries).toBe(1);
    expect(many.queries).toBe(few.queries);
    expect(many.batchGets).toBe(few.batchGets);
  });
});
