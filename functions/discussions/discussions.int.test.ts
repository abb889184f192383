import { describe, expect, it } from 'vitest';
import { api, scanTable, signIn, waitFor } from '../../scripts/test-support/api.ts';
import { createGroup, groupWithMembers } from '../../scripts/test-support/groups.ts';

const membershipOf = (groupId: string, userId: string) => `${groupId}.${userId}`;

async function startThread(cookie: string, groupId: string, body: Record<string, unknown> = {}) {
  const response = await api('POST', `/api/groups/${groupId}/discussions`, { cookie, body: { title: 'Where should we meet?', description: 'Ideas *welcome*.', ...body } });
  if (response.status !== 201) throw new Error(`start thread answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; private: boolean };
}

const comment = (cookie: string, threadId: string, body: string, parentId?: string) =>
  api('POST', `/api/discussions/${threadId}/comments`, { cookie, body: { body, ...(parentId ? { parentId } : {}) } });

describe('starting threads', () => {
  it('lets members start threads, with privacy following the group', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const thread = await startThread(members[0]!.cookie, group.id);
    expect(thread.private).toBe(true);
    const open = await createGroup(admin.cookie, { privacy: 'open' });
    expect((await startThread(admin.cookie, open.id)).private).toBe(false);
    const refused = await api('POST', `/api/groups/${open.id}/discussions`, { cookie: admin.cookie, body: { title: 'Secret?', private: true } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.fields).toHaveProperty('private');
  });

  it('refuses members when members_can_start_discussions is off, and outsiders always', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { flags: { membersCanStartDiscussions: false } } });
    expect((await api('POST', `/api/groups/${group.id}/discussions`, { cookie: members[0]!.cookie, body: { title: 'Hi' } })).status).toBe(403);
    expect((await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Hi' } })).status).toBe(201);
    const outsider = await signIn();
    expect((await api('POST', `/api/groups/${group.id}/discussions`, { cookie: outsider.cookie, body: { title: 'Hi' } })).status).toBe(403);
  });

  it.each([[{ title: '' }, 'title'], [{ title: 'x'.repeat(151) }, 'title'], [{ title: 'ok', private: 'yes' }, 'private']])('rejects %j with 422 naming %s', async (body, field) => {
    const { admin, group } = await groupWithMembers(0);
    const response = await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body });
    expect(response.status).toBe(422);
    expect(response.body.error.fields).toHaveProperty(field);
  });
});

describe('reading threads', () => {
  it('shows a public thread in an open group to signed-out visitors, and hides private threads from outsiders with 404', async () => {
    const admin = await signIn();
    const open = await createGroup(admin.cookie, { privacy: 'open' });
    const publicThread = await startThread(admin.cookie, open.id);
    expect((await api('GET', `/api/discussions/${publicThread.id}`)).status).toBe(200);
    const closed = await createGroup(admin.cookie);
    const privateThread = await startThread(admin.cookie, closed.id);
    const outsider = await signIn();
    expect((await api('GET', `/api/discussions/${privateThread.id}`)).status).toBe(404);
    expect((await api('GET', `/api/discussions/${privateThread.id}`, { cookie: outsider.cookie })).status).toBe(404);
    expect((await comment(outsider.cookie, privateThread.id, 'Let me in')).status).toBe(404);
  });

  it('reads the thread page in at most 2 DynamoDB requests after the session read, whatever the thread length', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    for (let i = 0; i < 60; i++) await comment(admin.cookie, thread.id, `Comment ${i}`);
    const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    expect(page.status).toBe(200);
    expect(page.dbRequests).toBe(3);
    expect(page.body.timeline.items).toHaveLength(50);
    expect(page.body.timeline.items[0].seq).toBe(1);
    const next = await api('GET', `/api/discussions/${thread.id}/events?cursor=${encodeURIComponent(page.body.timeline.cursor)}`, { cookie: admin.cookie });
    expect(next.body.items.map((i: { seq: number }) => i.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 51 + i));
    const from = await api('GET', `/api/discussions/${thread.id}?from=55`, { cookie: admin.cookie });
    expect(from.body.timeline.items[0].seq).toBe(55);
  });

  it('refuses tampered cursors with 400 and impossible positions with 422', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    await comment(admin.cookie, thread.id, 'One');
    expect((await api('GET', `/api/discussions/${thread.id}/events?cursor=abc.def`, { cookie: admin.cookie })).status).toBe(400);
    expect((await api('GET', `/api/discussions/${thread.id}/events?from=0`, { cookie: admin.cookie })).status).toBe(422);
    expect((await api('GET', `/api/discussions/${thread.id}/events?from=99`, { cookie: admin.cookie })).status).toBe(422);
    expect((await api('GET', '/api/discussions/not-an-id')).status).toBe(404);
  });
});

describe('comments', () => {
  it('gives 50 parallel comments 50 distinct, consecutive sequence numbers', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => comment(admin.cookie, thread.id, `Parallel ${i}`)));
    expect(results.every((r) => r.status === 201)).toBe(true);
    const seqs = results.map((r) => r.body.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    expect(page.body.discussion.lastSeq).toBe(50);
    expect(page.body.discussion.commentCount).toBe(50);
  });

  it('nests replies to the maximum depth, and attaches deeper replies to the deepest allowed ancestor', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    let parent = (await comment(admin.cookie, thread.id, 'depth 0')).body;
    const depths = [0];
    for (let i = 1; i <= 5; i++) {
      const reply = (await comment(admin.cookie, thread.id, `reply ${i}`, parent.id)).body;
      depths.push(reply.depth);
      parent = reply;
    }
    expect(depths).toEqual([0, 1, 2, 3, 3, 3]);
  });

  it('refuses comments on a closed thread with 409, and takes them again once reopened', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const thread = await startThread(admin.cookie, group.id);
    expect((await api('POST', `/api/discussions/${thread.id}/close`, { cookie: members[0]!.cookie })).status).toBe(403);
    expect((await api('POST', `/api/discussions/${thread.id}/close`, { cookie: admin.cookie })).body.closed).toBe(true);
    const refused = await comment(members[0]!.cookie, thread.id, 'Too late');
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('discussion_closed');
    await api('POST', `/api/discussions/${thread.id}/reopen`, { cookie: admin.cookie });
    expect((await comment(members[0]!.cookie, thread.id, 'Back again')).status).toBe(201);
  });

  it('keeps every earlier version of an edited comment, visible to anyone who can read the thread', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const thread = await startThread(admin.cookie, group.id);
    const posted = (await comment(members[0]!.cookie, thread.id, 'First draft')).body;
    await api('PATCH', `/api/comments/${posted.id}`, { cookie: members[0]!.cookie, body: { body: 'Second draft' } });
    const edited = await api('PATCH', `/api/comments/${posted.id}`, { cookie: members[0]!.cookie, body: { body: 'Final words' } });
    expect(edited.body).toMatchObject({ body: 'Final words', version: 3 });
    const history = await api('GET', `/api/comments/${posted.id}/versions`, { cookie: admin.cookie });
    expect(history.body.items.map((v: { body: string }) => v.body)).toEqual(['Second draft', 'First draft']);
  });

  it('follows the edit flags: authors while members_can_edit_comments is on, admins while admins_can_edit_user_content is on', async () => {
    const { admin, group, members } = await groupWithMembers(2);
    const [author, other] = [members[0]!, members[1]!];
    const thread = await startThread(admin.cookie, group.id);
    const posted = (await comment(author.cookie, thread.id, 'Mine')).body;
    expect((await api('PATCH', `/api/comments/${posted.id}`, { cookie: other.cookie, body: { body: 'Not yours' } })).status).toBe(403);
    expect((await api('PATCH', `/api/comments/${posted.id}`, { cookie: admin.cookie, body: { body: 'Moderated' } })).status).toBe(200);
    await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { flags: { membersCanEditComments: false, adminsCanEditUserContent: false } } });
    expect((await api('PATCH', `/api/comments/${posted.id}`, { cookie: author.cookie, body: { body: 'Again' } })).status).toBe(403);
    expect((await api('PATCH', `/api/comments/${posted.id}`, { cookie: admin.cookie, body: { body: 'Again' } })).status).toBe(403);
  });

  it('leaves a placeholder when a comment with replies is deleted, and removes one without replies', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    const parent = (await comment(admin.cookie, thread.id, 'Parent text')).body;
    const reply = (await comment(admin.cookie, thread.id, 'Reply text', parent.id)).body;
    const lone = (await comment(admin.cookie, thread.id, 'Lone text')).body;
    await api('PATCH', `/api/comments/${parent.id}`, { cookie: admin.cookie, body: { body: 'Parent edited' } });
    expect((await api('DELETE', `/api/comments/${parent.id}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await api('DELETE', `/api/comments/${lone.id}`, { cookie: admin.cookie })).status).toBe(204);
    const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    const items = page.body.timeline.items as Array<{ id: string; deleted: boolean; body: string | null }>;
    expect(items.map((i) => i.id)).toEqual([parent.id, reply.id]);
    expect(items[0]).toMatchObject({ deleted: true, body: null });
    const stored = JSON.stringify((await scanTable()).filter((i) => i.pk === `discussion#${thread.id.split('.')[1]}`));
    expect(stored).not.toContain('Parent text');
    expect(stored).not.toContain('Parent edited');
    expect(stored).not.toContain('Lone text');
  });

  it('links @mentions of members, records them on the event, and leaves non-members as text', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    await api('PATCH', '/api/me', { cookie: members[0]!.cookie, body: { name: 'Ada Lovelace' } });
    // Member names reach memberships through the stream worker.
    for (let i = 0; i < 60; i++) {
      const list = await api('GET', `/api/groups/${group.id}/memberships`, { cookie: admin.cookie });
      if (list.body.items.some((m: { name: string | null }) => m.name === 'Ada Lovelace')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const thread = await startThread(admin.cookie, group.id);
    const posted = await comment(admin.cookie, thread.id, 'What do you think @ada-lovelace? And @nobody-here?');
    expect(posted.body.bodyHtml).toContain(`href="#member-${members[0]!.userId}"`);
    expect(posted.body.bodyHtml).toContain('@nobody-here?');
    const event = (await scanTable()).find((i) => i.kind === 'CommentCreated' && (i.data as { discussionId: string }).discussionId === thread.id.split('.')[1]);
    expect((event?.data as { mentionedUserIds: string[] }).mentionedUserIds).toEqual([members[0]!.userId]);
  });
});

describe('reactions', () => {
  it('keeps one reaction per person per item, counts them, and says who', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    await api('PATCH', '/api/me', { cookie: admin.cookie, body: { name: 'Admin Person' } });
    const thread = await startThread(admin.cookie, group.id);
    const posted = (await comment(admin.cookie, thread.id, 'React to me')).body;
    const subject = { type: 'comment', id: posted.id };
    await api('PUT', '/api/reactions', { cookie: members[0]!.cookie, body: { subject, emoji: 'heart' } });
    await api('PUT', '/api/reactions', { cookie: admin.cookie, body: { subject, emoji: 'heart' } });
    const changed = await api('PUT', '/api/reactions', { cookie: admin.cookie, body: { subject, emoji: 'tada' } });
    expect(changed.body.reactions).toEqual([
      expect.objectContaining({ emoji: 'heart', count: 1, mine: false }),
      expect.objectContaining({ emoji: 'tada', count: 1, mine: true, people: [expect.any(String)] }),
    ]);
    const removed = await api('DELETE', '/api/reactions', { cookie: admin.cookie, body: { subject } });
    expect(removed.body.reactions).toEqual([expect.objectContaining({ emoji: 'heart', count: 1 })]);
    expect((await api('PUT', '/api/reactions', { cookie: admin.cookie, body: { subject, emoji: 'skull' } })).status).toBe(422);
    const onThread = await api('PUT', '/api/reactions', { cookie: admin.cookie, body: { subject: { type: 'discussion', id: thread.id }, emoji: 'thumbs_up' } });
    expect(onThread.body.reactions[0]).toMatchObject({ emoji: 'thumbs_up', count: 1 });
  });
});

describe('read tracking', () => {
  it('shows unread counts per thread, the first unread item, and marks read by ranges', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const reader = members[0]!;
    const thread = await startThread(admin.cookie, group.id);
    for (let i = 0; i < 5; i++) await comment(admin.cookie, thread.id, `News ${i}`);
    let list = await api('GET', `/api/groups/${group.id}/discussions`, { cookie: reader.cookie });
    expect(list.body.items[0]).toMatchObject({ id: thread.id, unreadCount: 5 });
    const marked = await api('POST', `/api/discussions/${thread.id}/read`, { cookie: reader.cookie, body: { ranges: [[1, 2], [4, 4]] } });
    expect(marked.body).toMatchObject({ unreadCount: 2, firstUnread: 3 });
    const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: reader.cookie });
    expect(page.body.discussion.read).toMatchObject({ ranges: [[1, 2], [4, 4]], firstUnread: 3 });
    list = await api('GET', `/api/groups/${group.id}/discussions`, { cookie: reader.cookie });
    expect(list.body.items[0].unreadCount).toBe(2);
    expect((await api('POST', `/api/groups/${group.id}/discussions/read`, { cookie: reader.cookie })).status).toBe(204);
    list = await api('GET', `/api/groups/${group.id}/discussions`, { cookie: reader.cookie });
    expect(list.body.items[0].unreadCount).toBe(0);
  });

  it('never counts what someone wrote themselves as unread for them: their comments, polls, votes and outcomes', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const reader = members[0]!;
    const thread = await startThread(admin.cookie, group.id);
    await comment(admin.cookie, thread.id, 'My own news');
    const poll = (await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, discussionId: thread.id, type: 'proposal', title: 'Mine', closingAt: new Date(Date.now() + 86_400_000).toISOString() } })).body;
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: admin.cookie, body: { choices: { option: 'agree' }, reason: 'My own reason' } });
    // The vote joins the timeline through the stream worker.
    const seen = await waitFor(async () => {
      const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: reader.cookie });
      return page.body.discussion.read.unreadCount === 3 ? page : null;
    }, 'the vote in the timeline');
    expect(seen.body.discussion.read.unreadCount).toBe(3);
    const mine = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    expect(mine.body.discussion.read.unreadCount).toBe(0);
    const listed = await api('GET', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie });
    expect(listed.body.items.find((t: { id: string }) => t.id === thread.id).unreadCount).toBe(0);
    // A comment by someone else is new to them, and theirs is not new to the reader who wrote it.
    await comment(reader.cookie, thread.id, 'A reply from the reader');
    expect((await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie })).body.discussion.read.unreadCount).toBe(1);
    expect((await api('GET', `/api/discussions/${thread.id}`, { cookie: reader.cookie })).body.discussion.read.unreadCount).toBe(3);
  });

  it.each([[{ ranges: [[3, 1]] }], [{ ranges: [[1, 999]] }], [{ ranges: [] }], [{ ranges: [['a', 2]] }]])('rejects the ranges %j with 422', async (body) => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    await comment(admin.cookie, thread.id, 'One');
    expect((await api('POST', `/api/discussions/${thread.id}/read`, { cookie: admin.cookie, body })).status).toBe(422);
  });
});

describe('the group thread list', () => {
  it('puts pinned threads on top, then newest activity, and pages with a cursor', async () => {
    const { admin, group } = await groupWithMembers(0);
    const threads = [];
    for (let i = 0; i < 23; i++) threads.push(await startThread(admin.cookie, group.id, { title: `Thread ${i}` }));
    await api('POST', `/api/discussions/${threads[0]!.id}/pin`, { cookie: admin.cookie });
    await comment(admin.cookie, threads[5]!.id, 'Bump');
    const first = await api('GET', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie });
    expect(first.body.items.slice(0, 2).map((t: { id: string }) => t.id)).toEqual([threads[0]!.id, threads[5]!.id]);
    expect(first.body.items).toHaveLength(20);
    const second = await api('GET', `/api/groups/${group.id}/discussions?cursor=${encodeURIComponent(first.body.cursor)}`, { cookie: admin.cookie });
    expect(second.body.items).toHaveLength(3);
    expect(second.body.cursor).toBeNull();
  });

  it('shows signed-out visitors of an open group only its public threads', async () => {
    const admin = await signIn();
    const open = await createGroup(admin.cookie, { privacy: 'open' });
    await startThread(admin.cookie, open.id);
    expect((await api('GET', `/api/groups/${open.id}/discussions`)).body.items).toHaveLength(1);
    const closed = await createGroup(admin.cookie, { privacy: 'closed', discussionPrivacy: 'public_or_private' });
    await startThread(admin.cookie, closed.id, { private: true, title: 'Inside' });
    await startThread(admin.cookie, closed.id, { private: false, title: 'Outside' });
    const visitor = await api('GET', `/api/groups/${closed.id}/discussions`);
    expect(visitor.body.items.map((t: { title: string }) => t.title)).toEqual(['Outside']);
  });
});

describe('moving a thread', () => {
  it('moves to a group where the actor is admin, adjusts privacy, and keeps the old link working', async () => {
    const admin = await signIn();
    const from = await createGroup(admin.cookie, { privacy: 'closed' });
    const to = await createGroup(admin.cookie, { privacy: 'open' });
    const thread = await startThread(admin.cookie, from.id);
    await comment(admin.cookie, thread.id, 'Before the move');
    const moved = await api('POST', `/api/discussions/${thread.id}/move`, { cookie: admin.cookie, body: { groupId: to.id } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ group: { id: to.id }, private: false });
    const old = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    expect(old.body.discussion.id).toBe(moved.body.id);
    expect(old.body.timeline.items[0].body).toBe('Before the move');
    const notAdmin = (await groupWithMembers(0)).group;
    expect((await api('POST', `/api/discussions/${moved.body.id}/move`, { cookie: admin.cookie, body: { groupId: notAdmin.id } })).status).toBe(403);
  });
});

describe('attachments', () => {
  async function upload(cookie: string, file: { name: string; type: string; bytes: Buffer }) {
    const requested = await api('POST', '/api/uploads', { cookie, body: { filename: file.name, contentType: file.type, size: file.bytes.length } });
    if (requested.status !== 201) return { requested };
    const form = new FormData();
    for (const [k, v] of Object.entries(requested.body.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
    const stored = await fetch(requested.body.url, { method: 'POST', body: form });
    return { requested, stored };
  }

  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

  it('uploads straight to storage with a presigned POST, attaches to a comment, and downloads only after a permission check', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    const { requested, stored } = await upload(admin.cookie, { name: 'photo.png', type: 'image/png', bytes: png });
    expect(stored!.status).toBeLessThan(300);
    const posted = await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'See the photo', attachmentIds: [requested.body.uploadId] } });
    expect(posted.status).toBe(201);
    expect(posted.body.attachments).toEqual([expect.objectContaining({ filename: 'photo.png', image: true, url: `/api/attachments/${requested.body.uploadId}` })]);
    const download = await fetch(`${(await import('vitest')).inject('appUrl')}${posted.body.attachments[0].url}`, { headers: { cookie: admin.cookie }, redirect: 'manual' });
    expect(download.status).toBe(302);
    const file = await fetch(download.headers.get('location')!);
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);
    const outsider = await signIn();
    expect((await api('GET', posted.body.attachments[0].url, { cookie: outsider.cookie })).status).toBe(404);
    // The upload was claimed: it cannot be attached a second time.
    expect((await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Again', attachmentIds: [requested.body.uploadId] } })).status).toBe(422);
  });

  it('refuses a wrong type, a file over 25 MB, and someone else\u2019s upload', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    const exe = await api('POST', '/api/uploads', { cookie: admin.cookie, body: { filename: 'run.exe', contentType: 'application/x-msdownload', size: 10 } });
    expect(exe.status).toBe(422);
    expect(exe.body.error.fields).toHaveProperty('contentType');
    const huge = await api('POST', '/api/uploads', { cookie: admin.cookie, body: { filename: 'big.pdf', contentType: 'application/pdf', size: 26 * 1024 * 1024 } });
    expect(huge.status).toBe(422);
    expect(huge.body.error.fields).toHaveProperty('size');
    const other = await signIn();
    const { requested } = await upload(other.cookie, { name: 'theirs.png', type: 'image/png', bytes: png });
    const stolen = await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Mine now', attachmentIds: [requested.body.uploadId] } });
    expect(stolen.status).toBe(422);
  });

  it('refuses to attach a file larger than was declared (storage policies enforce it too; the emulator does not)', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    const requested = await api('POST', '/api/uploads', { cookie: admin.cookie, body: { filename: 'a.txt', contentType: 'text/plain', size: 5 } });
    expect(requested.body.fields.Policy).toEqual(expect.any(String));
    const policy = JSON.parse(Buffer.from(requested.body.fields.Policy, 'base64').toString());
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 5]);
    const form = new FormData();
    for (const [k, v] of Object.entries(requested.body.fields as Record<string, string>)) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(50).fill(97)], { type: 'text/plain' }), 'a.txt');
    await fetch(requested.body.url, { method: 'POST', body: form });
    const attached = await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Big', attachmentIds: [requested.body.uploadId] } });
    expect(attached.status).toBe(422);
  });
});

describe('a member of another group', () => {
  it('gets 404 from every thread endpoint and changes nothing', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = await startThread(admin.cookie, group.id);
    const posted = (await comment(admin.cookie, thread.id, 'Private words')).body;
    const stranger = (await groupWithMembers(0)).admin;
    const before = JSON.stringify((await scanTable()).filter((i) => i.pk === `discussion#${thread.id.split('.')[1]}`));
    const calls: Array<[string, string, unknown?]> = [
      ['GET', `/api/discussions/${thread.id}`],
      ['GET', `/api/discussions/${thread.id}/events`],
      ['GET', `/api/discussions/${thread.id}/versions`],
      ['PATCH', `/api/discussions/${thread.id}`, { title: 'Hijack' }],
      ['POST', `/api/discussions/${thread.id}/close`],
      ['POST', `/api/discussions/${thread.id}/pin`],
      ['POST', `/api/discussions/${thread.id}/read`, { ranges: [[1, 1]] }],
      ['POST', `/api/discussions/${thread.id}/comments`, { body: 'Hello' }],
      ['PATCH', `/api/comments/${posted.id}`, { body: 'Changed' }],
      ['DELETE', `/api/comments/${posted.id}`],
      ['GET', `/api/comments/${posted.id}/versions`],
      ['PUT', '/api/reactions', { subject: { type: 'comment', id: posted.id }, emoji: 'heart' }],
      ['GET', `/api/groups/${group.id}/discussions`],
    ];
    for (const [method, path, body] of calls) {
      const response = await api(method, path, { cookie: stranger.cookie, body });
      if (path.endsWith('/discussions') && method === 'GET') {
        expect(response.body.items).toEqual([]);
        continue;
      }
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(JSON.stringify(response.body)).not.toContain('Private words');
    }
    expect(JSON.stringify((await scanTable()).filter((i) => i.pk === `discussion#${thread.id.split('.')[1]}`))).toBe(before);
  });
});
