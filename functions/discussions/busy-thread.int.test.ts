import { describe, expect, it } from 'vitest';
import { api, signIn } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, createGroup } from '../../scripts/test-support/groups.ts';

const WRITERS = 100;

async function busyThread(writers: number) {
  const admin = await signIn();
  const group = await createGroup(admin.cookie);
  const people = await addMembersDirectly(group, writers);
  const started = await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Everyone at once' } });
  if (started.status !== 201) throw new Error(`start thread answered ${started.status}`);
  return { admin, people, threadId: started.body.id as string };
}

/** Every timeline item of a thread, following the cursor to the end. */
async function timeline(cookie: string, threadId: string) {
  const items: Array<{ seq: number; body: string | null; author: { id: string } | null; parentSeq: number | null }> = [];
  let page = await api('GET', `/api/discussions/${threadId}/events?from=1`, { cookie });
  for (;;) {
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    if (!page.body.cursor) return items;
    page = await api('GET', `/api/discussions/${threadId}/events?cursor=${encodeURIComponent(page.body.cursor)}`, { cookie });
  }
}

describe('a busy thread', () => {
  it(`saves ${WRITERS} parallel comments from ${WRITERS} people with no errors and consecutive sequence numbers`, async () => {
    // Prepare
    const { admin, people, threadId } = await busyThread(WRITERS);
    const first = await api('POST', `/api/discussions/${threadId}/comments`, { cookie: admin.cookie, body: { body: 'Before the rush' } });
    expect(first.status).toBe(201);

    // Act
    const responses = await Promise.all(
      people.map((person, i) => api('POST', `/api/discussions/${threadId}/comments`, { cookie: person.cookie, body: { body: `Parallel comment ${i}` } })),
    );

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(WRITERS).fill(201));
    const numbers = responses.map((r) => r.body.seq as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 2));
    const items = await timeline(admin.cookie, threadId);
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: WRITERS + 1 }, (_, i) => i + 1));
    for (const [i, response] of responses.entries()) {
      const saved = items.find((item) => item.seq === response.body.seq);
      expect(saved?.body).toBe(`Parallel comment ${i}`);
      expect(saved?.author?.id).toBe(people[i]!.userId);
    }
    const thread = await api('GET', `/api/discussions/${threadId}`, { cookie: admin.cookie });
    expect(thread.body.discussion.lastSeq).toBe(WRITERS + 1);
    expect(thread.body.discussion.commentCount).toBe(WRITERS + 1);
  });

  it('counts every reply when many people answer one comment at once', async () => {
    // Prepare
    const { admin, people, threadId } = await busyThread(30);
    const parent = await api('POST', `/api/discussions/${threadId}/comments`, { cookie: admin.cookie, body: { body: 'Reply to me' } });

    // Act
    const replies = await Promise.all(
      people.map((person, i) => api('POST', `/api/discussions/${threadId}/comments`, { cookie: person.cookie, body: { body: `Reply ${i}`, parentId: parent.body.id } })),
    );

    // Assess
    expect(replies.map((r) => r.status)).toEqual(Array(30).fill(201));
    const items = await timeline(admin.cookie, threadId);
    expect(items.map((item) => item.seq)).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
    expect(items.filter((item) => item.parentSeq === parent.body.seq)).toHaveLength(30);
    const again = await api('GET', `/api/discussions/${threadId}/events?from=1`, { cookie: admin.cookie });
    expect(again.body.items[0].replyCount).toBe(30);
  });

  it('answers 409 to every comment sent after the thread closed, and saves none of them', async () => {
    // Prepare
    const { admin, people, threadId } = await busyThread(10);
    const closed = await api('POST', `/api/discussions/${threadId}/close`, { cookie: admin.cookie });
    expect(closed.status).toBe(200);

    // Act
    const responses = await Promise.all(people.map((person) => api('POST', `/api/discussions/${threadId}/comments`, { cookie: person.cookie, body: { body: 'Too late' } })));

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(409));
    const thread = await api('GET', `/api/discussions/${threadId}`, { cookie: admin.cookie });
    expect(thread.body.discussion.lastSeq).toBe(0);
    expect(thread.body.discussion.commentCount).toBe(0);
  });
});
