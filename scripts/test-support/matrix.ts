import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { DiscussionFacts, CommentFacts } from '../../shared/permissions/discussions.ts';
import type { GroupFacts, Viewer } from '../../shared/permissions/groups.ts';
import type { PollFacts } from '../../shared/permissions/polls.ts';
import { api, mailTo, rawTable, randomViewer, signIn, uniqueEmail, useStackEnv } from './api.ts';
import { createGroup, invitationToken } from './groups.ts';

/**
 * Fixtures of the authorization matrix: one world of people, groups, threads, polls, files,
 * exports, imports and invitations, each named, each carrying a marker text that only those who
 * may see it should ever receive. The facts the expectations are computed from are read back from
 * the table with the same mappers the use cases use (`facts`, `threadFacts`, `pollFacts`), so the
 * matrix and the API judge the same data with the same shared permission functions.
 */

export const actorNames = ['admin', 'member', 'subMember', 'outsider', 'otherAdmin', 'signedOut', 'demoted', 'deactivated'] as const;
export type ActorName = (typeof actorNames)[number];

export interface Person { cookie: string; email: string; userId: string; name: string }

/**
 * How each actor is represented:
 * - admin: created every fixture group, admin of all of them.
 * - member: plain member of the open, closed and secret groups (not of the subgroup, not of B).
 * - subMember: member of the secret group's subgroup only.
 * - outsider: signed in, in no fixture group.
 * - otherAdmin: admin of a group of their own (X), in no fixture group.
 * - signedOut: no cookie.
 * - demoted: was admin of the closed group (asked for an export then), now a member there; member of open and secret.
 * - deactivated: was a member of the open, closed and secret groups, then deactivated the account.
 *   Deactivation deletes every session, so what they can do is what their old cookie can do: it is
 *   sent with every request and the expected outcomes are those of someone signed out. Signing in
 *   again reactivates them, after which they are an ordinary member (the `member` rows).
 */
export interface Actor { name: ActorName; person: Person | null; cookie: string | undefined; signedIn: boolean }

export const marker = (label: string) => `MX${label}${randomBytes(4).toString('hex')}`;

async function named(label: string): Promise<Person> {
  const person = await signIn();
  const name = `Matrix ${label} ${randomBytes(3).toString('hex')}`;
  const renamed = await api('PATCH', '/api/me', { cookie: person.cookie, body: { name } });
  if (renamed.status !== 200) throw new Error(`rename answered ${renamed.status}`);
  return { ...person, name };
}

async function must<T = any>(what: string, response: Promise<{ status: number; body: T }>, ok = [200, 201, 202, 204]): Promise<T> {
  const r = await response;
  if (!ok.includes(r.status)) throw new Error(`${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

/** Invites people into a group and accepts each invitation, as groupWithMembers does. */
export async function addByInvitation(adminCookie: string, groupId: string, people: Person[]): Promise<void> {
  if (!people.length) return;
  await must('invite', api('POST', `/api/groups/${groupId}/invitations`, { cookie: adminCookie, body: { emails: people.map((p) => p.email) } }));
  await Promise.all(people.map(async (p) => {
    await must('accept', api('POST', `/api/invitations/${await invitationToken(p.email)}/accept`, { headers: { 'cloudfront-viewer-address': randomViewer() } }));
  }));
}

export async function pendingInvitation(adminCookie: string, groupId: string): Promise<{ id: string; token: string; email: string }> {
  const email = uniqueEmail('invitee');
  await must('invite', api('POST', `/api/groups/${groupId}/invitations`, { cookie: adminCookie, body: { emails: [email] } }));
  const token = await invitationToken(email);
  const list = await must('list invitations', api('GET', `/api/groups/${groupId}/invitations?limit=100`, { cookie: adminCookie }));
  const found = (list.items as Array<{ id: string; email: string }>).find((i) => i.email === email);
  if (!found) throw new Error('new invitation not listed');
  return { id: found.id, token, email };
}

export async function startThread(cookie: string, groupId: string, title: string, extra: Record<string, unknown> = {}) {
  return must('start thread', api('POST', `/api/groups/${groupId}/discussions`, { cookie, body: { title, description: 'Thread of the authorization matrix', ...extra } }));
}

export async function postComment(cookie: string, threadId: string, body: string, extra: Record<string, unknown> = {}) {
  return must('comment', api('POST', `/api/discussions/${threadId}/comments`, { cookie, body: { body, ...extra } }));
}

export async function startPoll(cookie: string, groupId: string, body: Record<string, unknown>) {
  return must('start poll', api('POST', '/api/polls', { cookie, body: { groupId, closingAt: inAWeek(), type: 'proposal', ...body } }));
}

export function choicesFor(type: string) {
  if (type === 'meeting') return { answers: { o1: 'yes', o2: 'no' } };
  if (type === 'election') return { ranking: ['o1', 'o2'] };
  return { option: 'agree' };
}

export async function uploadFile(cookie: string, name: string, bytes: Buffer, type = 'application/pdf'): Promise<string> {
  const requested = await must('upload', api('POST', '/api/uploads', { cookie, body: { filename: name, contentType: type, size: bytes.length } }));
  const form = new FormData();
  for (const [k, v] of Object.entries(requested.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  const stored = await fetch(requested.url, { method: 'POST', body: form });
  if (stored.status >= 300) throw new Error(`storage answered ${stored.status}`);
  return requested.uploadId;
}

export async function uploadArchive(cookie: string, gz: Buffer): Promise<string> {
  const requested = await must('archive upload', api('POST', '/api/imports/uploads', { cookie, body: { size: gz.length } }));
  const form = new FormData();
  for (const [k, v] of Object.entries(requested.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(gz)], { type: 'application/gzip' }), 'archive.ndjson.gz');
  const stored = await fetch(requested.url, { method: 'POST', body: form });
  if (stored.status >= 300) throw new Error(`storage answered ${stored.status}`);
  return requested.uploadKey;
}

// ---------------------------------------------------------------------------------------------
// Objects
// ---------------------------------------------------------------------------------------------

export type GroupName = 'open' | 'closed' | 'secret' | 'subOfSecret';
export type ThreadName = 'threadOpen' | 'threadClosed' | 'threadSecret' | 'threadSub' | 'threadMoved';
export type PollName = 'pollPublic' | 'pollHidden' | 'pollAnonymous' | 'pollSecret' | 'pollMoved' | 'pollElection' | 'pollClosed';
export type CommentName = 'commentOpen' | 'commentClosed' | 'commentSecret' | 'commentSub' | 'commentMoved';
export type ObjectName =
  | GroupName | ThreadName | PollName | CommentName
  | 'attachmentClosed' | 'attachmentSecret' | 'attachmentMoved'
  | 'outcomeMeeting'
  | 'exportAdmin' | 'exportDemoted'
  | 'importAdmin' | 'importUpload'
  | 'invitationClosed' | 'invitationSecret' | 'invitationTokenClosed' | 'invitationTokenSecret'
  | 'membershipClosed' | 'ownMembershipClosed'
  | 'requestClosed'
  | 'joinTokenClosed' | 'joinTokenSecret'
  | 'unsubscribeToken'
  | 'self' | 'none';

/** What an object is, as the matrix needs it: the id its routes take and where it lives. */
export interface Obj {
  name: ObjectName;
  /** The value of the route's path parameter (`{id}` or `{token}`). */
  pathId: string;
  /** The group whose rules decide, by id (for a moved thread: where it lives now). */
  groupId?: string;
  threadId?: string; // raw thread id (no group part)
  apiThreadId?: string;
  pollId?: string; // raw poll id
  commentSeq?: number;
  commentAuthorId?: string;
  ownerId?: string;
  /** Text only those who may see the object should ever receive. */
  marker?: string;
  extra?: Record<string, any>;
}

export interface World {
  people: Record<Exclude<ActorName, 'signedOut'>, Person> & { plain: Person };
  actors: Record<ActorName, Actor>;
  groups: Record<GroupName | 'moveTarget' | 'otherAdmins', { id: string; handle: string; name: string }>;
  objects: Record<ObjectName, Obj>;
  /** Makes an equivalent fresh copy of an object, for a write that would change it for the next row. */
  fresh: Partial<Record<ObjectName, (actor: Actor) => Promise<Obj>>>;
  timings: Record<string, number>;
}

const gid = (apiId: string) => apiId.split('.')[0]!;
const rid = (apiId: string) => apiId.split('.')[1]!;

export async function buildWorld(): Promise<World> {
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (label: string) => { timings[label] = Date.now() - t0; };

  const [admin, member, subMember, outsider, otherAdmin, demoted, deactivated, plain] = await Promise.all(
    ['admin', 'member', 'subMember', 'outsider', 'otherAdmin', 'demoted', 'deactivated', 'plain'].map((l) => named(l)),
  ) as [Person, Person, Person, Person, Person, Person, Person, Person];
  mark('people');

  const [open, closed, secret] = await Promise.all((['open', 'closed', 'secret'] as const).map((privacy) =>
    createGroup(admin.cookie, { name: marker(`Group${privacy[0]!.toUpperCase()}${privacy.slice(1)}`), privacy }))) as [Awaited<ReturnType<typeof createGroup>>, Awaited<ReturnType<typeof createGroup>>, Awaited<ReturnType<typeof createGroup>>];
  // The subgroup takes the defaults: finding 3 is about what those make of a secret parent.
  const subOfSecret = await createGroup(admin.cookie, { name: marker('GroupSubOfSecret'), parentId: secret.id });
  const moveTarget = await createGroup(admin.cookie, { name: marker('GroupMoveTarget'), privacy: 'closed' });
  const otherAdmins = await createGroup(otherAdmin.cookie, { name: marker('GroupOtherAdmins'), privacy: 'closed' });

  // One group at a time for people in several (the newest invitation email is the one accepted).
  await Promise.all([addByInvitation(admin.cookie, subOfSecret.id, [subMember]), addByInvitation(admin.cookie, open.id, [member, demoted, deactivated])]);
  await addByInvitation(admin.cookie, closed.id, [member, demoted, deactivated, plain]);
  await addByInvitation(admin.cookie, secret.id, [member, demoted, deactivated]);
  await must('promote', api('PATCH', `/api/memberships/${closed.id}.${demoted.userId}`, { cookie: admin.cookie, body: { role: 'admin' } }));
  mark('groups');

  // Threads, each with a comment by a member, in every kind of group; one thread moves from closed to B.
  const [threadOpen, threadClosed, threadSecret, threadSub, threadMoved] = await Promise.all([
    startThread(admin.cookie, open.id, marker('ThreadOpen')),
    startThread(admin.cookie, closed.id, marker('ThreadClosed'), { private: true }),
    startThread(admin.cookie, secret.id, marker('ThreadSecret')),
    startThread(admin.cookie, subOfSecret.id, marker('ThreadSub')),
    startThread(admin.cookie, closed.id, marker('ThreadMoved'), { private: true }),
  ]);
  const [commentOpen, commentClosed, commentSecret, commentSub, commentMoved] = await Promise.all([
    postComment(member.cookie, threadOpen.id, marker('CommentOpen')),
    postComment(member.cookie, threadClosed.id, marker('CommentClosed')),
    postComment(member.cookie, threadSecret.id, marker('CommentSecret')),
    postComment(subMember.cookie, threadSub.id, marker('CommentSub')),
    postComment(member.cookie, threadMoved.id, marker('CommentMoved')),
  ]);
  const pdf = Buffer.from('%PDF-1.4 matrix\n');
  const attach = async (threadId: string, label: string) => {
    const uploadId = await uploadFile(admin.cookie, `${label}.pdf`, pdf);
    const c = await postComment(admin.cookie, threadId, marker(label), { attachmentIds: [uploadId] });
    return { uploadId, comment: c };
  };
  const [attachmentClosed, attachmentSecret, attachmentMoved] = await Promise.all([
    attach(threadClosed.id, 'AttachmentClosed'), attach(threadSecret.id, 'AttachmentSecret'), attach(threadMoved.id, 'AttachmentMoved'),
  ]);
  mark('threads');

  // Polls. Votes carry reasons with markers: who may read a reason is what canSeeVotes says.
  const reasons: Record<string, string> = {};
  const voteWith = async (cookie: string, poll: any, label: string) => {
    reasons[label] = marker(`Reason${label}`);
    await must('vote', api('PUT', `/api/polls/${poll.id}/vote`, { cookie, body: { choices: choicesFor(poll.type), reason: reasons[label] } }));
  };
  const pollWith = async (groupId: string, body: Record<string, unknown>, label: string, voter = admin) => {
    const p = await startPoll(admin.cookie, groupId, { title: marker(label), ...body });
    await voteWith(voter.cookie, p, label);
    return p;
  };
  const [pollPublic, pollHidden, pollAnonymous, pollSecret, pollMoved, pollElection, pollClosed] = await Promise.all([
    pollWith(open.id, { discussionId: threadOpen.id }, 'PollPublic'),
    pollWith(closed.id, { discussionId: threadClosed.id, hideResults: 'until_closed' }, 'PollHidden'),
    pollWith(closed.id, { anonymous: true }, 'PollAnonymous', member),
    pollWith(secret.id, {}, 'PollSecret'),
    pollWith(closed.id, { discussionId: threadMoved.id }, 'PollMoved'),
    pollWith(closed.id, { type: 'election', options: ['Ana', 'Ben', 'Cy'], settings: { method: 'stv-scottish', seats: 1 } }, 'PollElection'),
    pollWith(closed.id, { type: 'meeting', options: ['2030-05-01T09:00:00Z', '2030-05-02T09:00:00Z'] }, 'PollClosed'),
  ]);
  await must('close', api('POST', `/api/polls/${pollClosed.id}/close`, { cookie: admin.cookie }));
  const outcome = await must('outcome', api('POST', `/api/polls/${pollClosed.id}/outcome`, { cookie: admin.cookie, body: { statement: marker('Outcome'), optionId: 'o1', event: { start: '2030-05-01T09:00:00Z', durationMinutes: 60 } } }));
  mark('polls');

  // The move: thread, comment, attachment and poll now belong to B, where only the admin is a member.
  await must('move', api('POST', `/api/discussions/${threadMoved.id}/move`, { cookie: admin.cookie, body: { groupId: moveTarget.id } }));

  // Exports: one by the admin, one by the demoted admin while still admin; then the demotion.
  const exportAdmin = await must('export', api('POST', `/api/groups/${closed.id}/exports`, { cookie: admin.cookie }));
  const exportDemoted = await must('export', api('POST', `/api/groups/${closed.id}/exports`, { cookie: demoted.cookie }));
  const [readyAdmin] = await Promise.all([
    waitFor(async () => {
      const s = await api('GET', `/api/exports/${exportAdmin.id}`, { cookie: admin.cookie });
      return s.body?.status === 'ready' ? s.body : null;
    }, 'the admin export'),
    waitFor(async () => (await api('GET', `/api/exports/${exportDemoted.id}`, { cookie: demoted.cookie })).body?.status === 'ready', 'the second export'),
  ]);
  await must('demote', api('PATCH', `/api/memberships/${closed.id}.${demoted.userId}`, { cookie: admin.cookie, body: { role: 'member' } }));
  mark('exports');

  const archive = Buffer.from(await (await fetch(readyAdmin.links.archive)).arrayBuffer());
  const importUploadKey = await uploadArchive(admin.cookie, archive);
  const importAdmin = await must('import', api('POST', '/api/imports', { cookie: admin.cookie, body: { uploadKey: importUploadKey } }));
  await waitFor(async () => ['done', 'rejected'].includes((await api('GET', `/api/imports/${importAdmin.id}`, { cookie: admin.cookie })).body?.status), 'the import');
  const spareUpload = await uploadArchive(admin.cookie, archive);
  mark('imports');

  const [invitationClosed, invitationSecret, tokenClosed, tokenSecret, requester] = await Promise.all([
    pendingInvitation(admin.cookie, closed.id), pendingInvitation(admin.cookie, secret.id),
    pendingInvitation(admin.cookie, closed.id), pendingInvitation(admin.cookie, secret.id), named('requester'),
  ]);
  await must('request', api('POST', `/api/groups/${closed.id}/membership-requests`, { cookie: requester.cookie, body: { introduction: 'Hello' } }));
  const joinClosed = await must('join link', api('POST', `/api/groups/${closed.id}/join-link`, { cookie: admin.cookie }));
  const joinSecret = await must('join link', api('POST', `/api/groups/${secret.id}/join-link`, { cookie: admin.cookie }));
  // An announcement to the member, for a real unsubscribe token.
  await must('announce', api('POST', '/api/announcements', { cookie: admin.cookie, body: { subject: { type: 'discussion', id: threadClosed.id }, audience: { kind: 'members', userIds: [member.userId] } } }), [202, 429]);
  const unsubscribe = await waitFor(async () => {
    const text = (await mailTo(member.email)).map((m) => m.body.text ?? '').join('\n');
    return /\/api\/unsubscribe\?token=([^\s>]+)/.exec(text)?.[1] ?? /\/unsubscribe\?token=([^\s>]+)/.exec(text)?.[1];
  }, 'an email with an unsubscribe link', 30_000);
  mark('invitations');

  // Deactivation last: the old cookie is kept to show what it can still do.
  await must('deactivate', api('POST', '/api/me/deactivate', { cookie: deactivated.cookie }));
  mark('deactivated');

  const people = { admin, member, subMember, outsider, otherAdmin, demoted, deactivated, plain };
  const actors = Object.fromEntries(actorNames.map((name) => {
    if (name === 'signedOut') return [name, { name, person: null, cookie: undefined, signedIn: false }];
    const person = people[name];
    return [name, { name, person, cookie: person.cookie, signedIn: name !== 'deactivated' }];
  })) as Record<ActorName, Actor>;

  const threadObj = (name: ObjectName, t: any, groupId: string, m: string): Obj => ({ name, pathId: t.id, groupId, threadId: rid(t.id), apiThreadId: t.id, marker: m, extra: { title: t.title } });
  const commentObj = (name: ObjectName, c: any, t: any, groupId: string, author: Person): Obj => ({
    name, pathId: c.id, groupId, threadId: rid(t.id), apiThreadId: t.id, commentSeq: Number(c.id.split('.')[2]), commentAuthorId: author.userId, marker: c.body, extra: { body: c.body },
  });
  const pollObj = (name: ObjectName, p: any, groupId: string, thread?: any): Obj => ({
    name, pathId: p.id, groupId, pollId: rid(p.id), threadId: thread ? rid(thread.id) : undefined, apiThreadId: thread?.id, marker: p.title, extra: { type: p.type, title: p.title, reason: reasons[name.replace(/^poll/, 'Poll')] },
  });
  const objects: Record<ObjectName, Obj> = {
    open: { name: 'open', pathId: open.id, groupId: open.id, marker: open.name },
    closed: { name: 'closed', pathId: closed.id, groupId: closed.id, marker: closed.name },
    secret: { name: 'secret', pathId: secret.id, groupId: secret.id, marker: secret.name },
    subOfSecret: { name: 'subOfSecret', pathId: subOfSecret.id, groupId: subOfSecret.id, marker: subOfSecret.name },
    threadOpen: threadObj('threadOpen', threadOpen, open.id, threadOpen.title),
    threadClosed: threadObj('threadClosed', threadClosed, closed.id, threadClosed.title),
    threadSecret: threadObj('threadSecret', threadSecret, secret.id, threadSecret.title),
    threadSub: threadObj('threadSub', threadSub, subOfSecret.id, threadSub.title),
    // Named by its old id, as a member of the old group has it.
    threadMoved: threadObj('threadMoved', threadMoved, moveTarget.id, threadMoved.title),
    commentOpen: commentObj('commentOpen', commentOpen, threadOpen, open.id, member),
    commentClosed: commentObj('commentClosed', commentClosed, threadClosed, closed.id, member),
    commentSecret: commentObj('commentSecret', commentSecret, threadSecret, secret.id, member),
    commentSub: commentObj('commentSub', commentSub, threadSub, subOfSecret.id, subMember),
    commentMoved: commentObj('commentMoved', commentMoved, threadMoved, moveTarget.id, member),
    attachmentClosed: { name: 'attachmentClosed', pathId: attachmentClosed.uploadId, groupId: closed.id, threadId: rid(threadClosed.id), apiThreadId: threadClosed.id, marker: attachmentClosed.comment.body },
    attachmentSecret: { name: 'attachmentSecret', pathId: attachmentSecret.uploadId, groupId: secret.id, threadId: rid(threadSecret.id), apiThreadId: threadSecret.id, marker: attachmentSecret.comment.body },
    attachmentMoved: { name: 'attachmentMoved', pathId: attachmentMoved.uploadId, groupId: moveTarget.id, threadId: rid(threadMoved.id), apiThreadId: threadMoved.id, marker: attachmentMoved.comment.body },
    pollPublic: pollObj('pollPublic', pollPublic, open.id, threadOpen),
    pollHidden: pollObj('pollHidden', pollHidden, closed.id, threadClosed),
    pollAnonymous: pollObj('pollAnonymous', pollAnonymous, closed.id),
    pollSecret: pollObj('pollSecret', pollSecret, secret.id),
    // Decided by the thread's current group: one source of truth (finding 2).
    pollMoved: pollObj('pollMoved', pollMoved, moveTarget.id, threadMoved),
    pollElection: pollObj('pollElection', pollElection, closed.id),
    pollClosed: pollObj('pollClosed', pollClosed, closed.id),
    outcomeMeeting: { name: 'outcomeMeeting', pathId: pollClosed.id, groupId: closed.id, pollId: rid(pollClosed.id), marker: outcome.statement },
    exportAdmin: { name: 'exportAdmin', pathId: exportAdmin.id, groupId: closed.id, ownerId: admin.userId },
    exportDemoted: { name: 'exportDemoted', pathId: exportDemoted.id, groupId: closed.id, ownerId: demoted.userId },
    importAdmin: { name: 'importAdmin', pathId: importAdmin.id, ownerId: admin.userId, marker: importAdmin.id },
    importUpload: { name: 'importUpload', pathId: '', ownerId: admin.userId, extra: { uploadKey: spareUpload } },
    invitationClosed: { name: 'invitationClosed', pathId: invitationClosed.id, groupId: closed.id, marker: invitationClosed.email },
    invitationSecret: { name: 'invitationSecret', pathId: invitationSecret.id, groupId: secret.id, marker: invitationSecret.email },
    invitationTokenClosed: { name: 'invitationTokenClosed', pathId: tokenClosed.token, groupId: closed.id },
    invitationTokenSecret: { name: 'invitationTokenSecret', pathId: tokenSecret.token, groupId: secret.id },
    membershipClosed: { name: 'membershipClosed', pathId: `${closed.id}.${plain.userId}`, groupId: closed.id, ownerId: plain.userId },
    ownMembershipClosed: { name: 'ownMembershipClosed', pathId: '', groupId: closed.id },
    requestClosed: { name: 'requestClosed', pathId: `${closed.id}.${requester.userId}`, groupId: closed.id, ownerId: requester.userId },
    joinTokenClosed: { name: 'joinTokenClosed', pathId: String(joinClosed.url).split('#token=')[1]!, groupId: closed.id },
    joinTokenSecret: { name: 'joinTokenSecret', pathId: String(joinSecret.url).split('#token=')[1]!, groupId: secret.id },
    unsubscribeToken: { name: 'unsubscribeToken', pathId: decodeURIComponent(unsubscribe) },
    self: { name: 'self', pathId: '' },
    none: { name: 'none', pathId: '' },
  };

  const fresh: World['fresh'] = {
    threadOpen: async () => threadObj('threadOpen', await startThread(admin.cookie, open.id, marker('FreshThread')), open.id, ''),
    threadClosed: async () => { const t = await startThread(admin.cookie, closed.id, marker('FreshThread'), { private: true }); return threadObj('threadClosed', t, closed.id, ''); },
    threadSecret: async () => threadObj('threadSecret', await startThread(admin.cookie, secret.id, marker('FreshThread')), secret.id, ''),
    threadSub: async () => threadObj('threadSub', await startThread(admin.cookie, subOfSecret.id, marker('FreshThread')), subOfSecret.id, ''),
    threadMoved: async () => {
      const t = await startThread(admin.cookie, closed.id, marker('FreshThread'), { private: true });
      await must('move', api('POST', `/api/discussions/${t.id}/move`, { cookie: admin.cookie, body: { groupId: moveTarget.id } }));
      return threadObj('threadMoved', t, moveTarget.id, '');
    },
    commentOpen: async () => commentObj('commentOpen', await postComment(member.cookie, threadOpen.id, 'Fresh comment'), threadOpen, open.id, member),
    commentClosed: async () => commentObj('commentClosed', await postComment(member.cookie, threadClosed.id, 'Fresh comment'), threadClosed, closed.id, member),
    commentSecret: async () => commentObj('commentSecret', await postComment(member.cookie, threadSecret.id, 'Fresh comment'), threadSecret, secret.id, member),
    commentSub: async () => commentObj('commentSub', await postComment(subMember.cookie, threadSub.id, 'Fresh comment'), threadSub, subOfSecret.id, subMember),
    commentMoved: async () => {
      // A comment written before the move, in a thread that then moved.
      const t = await startThread(admin.cookie, closed.id, marker('FreshThread'), { private: true });
      const c = await postComment(member.cookie, t.id, 'Fresh comment');
      await must('move', api('POST', `/api/discussions/${t.id}/move`, { cookie: admin.cookie, body: { groupId: moveTarget.id } }));
      return commentObj('commentMoved', c, t, moveTarget.id, member);
    },
    pollPublic: async () => pollObj('pollPublic', await startPoll(admin.cookie, open.id, { title: 'Fresh', discussionId: threadOpen.id }), open.id, threadOpen),
    pollHidden: async () => pollObj('pollHidden', await startPoll(admin.cookie, closed.id, { title: 'Fresh', discussionId: threadClosed.id, hideResults: 'until_closed' }), closed.id, threadClosed),
    pollAnonymous: async () => pollObj('pollAnonymous', await startPoll(admin.cookie, closed.id, { title: 'Fresh', anonymous: true }), closed.id),
    pollSecret: async () => pollObj('pollSecret', await startPoll(admin.cookie, secret.id, { title: 'Fresh' }), secret.id),
    pollMoved: async () => {
      const t = await startThread(admin.cookie, closed.id, marker('FreshThread'), { private: true });
      const p = await startPoll(admin.cookie, closed.id, { title: 'Fresh', discussionId: t.id });
      await must('move', api('POST', `/api/discussions/${t.id}/move`, { cookie: admin.cookie, body: { groupId: moveTarget.id } }));
      return pollObj('pollMoved', p, moveTarget.id, t);
    },
    pollElection: async () => pollObj('pollElection', await startPoll(admin.cookie, closed.id, { title: 'Fresh', type: 'election', options: ['Ana', 'Ben'], settings: { method: 'stv-scottish', seats: 1 } }), closed.id),
    pollClosed: async () => {
      const p = await startPoll(admin.cookie, closed.id, { title: 'Fresh', type: 'meeting', options: ['2030-05-01T09:00:00Z', '2030-05-02T09:00:00Z'] });
      await must('close', api('POST', `/api/polls/${p.id}/close`, { cookie: admin.cookie }));
      return pollObj('pollClosed', p, closed.id);
    },
    invitationClosed: async () => { const i = await pendingInvitation(admin.cookie, closed.id); return { name: 'invitationClosed', pathId: i.id, groupId: closed.id }; },
    invitationSecret: async () => { const i = await pendingInvitation(admin.cookie, secret.id); return { name: 'invitationSecret', pathId: i.id, groupId: secret.id }; },
    invitationTokenClosed: async () => { const i = await pendingInvitation(admin.cookie, closed.id); return { name: 'invitationTokenClosed', pathId: i.token, groupId: closed.id }; },
    invitationTokenSecret: async () => { const i = await pendingInvitation(admin.cookie, secret.id); return { name: 'invitationTokenSecret', pathId: i.token, groupId: secret.id }; },
    membershipClosed: async () => {
      const p = await signIn();
      await addByInvitation(admin.cookie, closed.id, [{ ...p, name: '' }]);
      return { name: 'membershipClosed', pathId: `${closed.id}.${p.userId}`, groupId: closed.id, ownerId: p.userId };
    },
    requestClosed: async () => {
      const p = await signIn();
      await must('request', api('POST', `/api/groups/${closed.id}/membership-requests`, { cookie: p.cookie, body: {} }));
      return { name: 'requestClosed', pathId: `${closed.id}.${p.userId}`, groupId: closed.id, ownerId: p.userId };
    },
    importUpload: async () => ({ name: 'importUpload', pathId: '', ownerId: admin.userId, extra: { uploadKey: await uploadArchive(admin.cookie, archive) } }),
    exportAdmin: async () => objects.exportAdmin,
    joinTokenClosed: async () => ({ name: 'joinTokenClosed', pathId: String((await must('join link', api('POST', `/api/groups/${closed.id}/join-link`, { cookie: admin.cookie }))).url).split('#token=')[1]!, groupId: closed.id }),
    joinTokenSecret: async () => ({ name: 'joinTokenSecret', pathId: String((await must('join link', api('POST', `/api/groups/${secret.id}/join-link`, { cookie: admin.cookie }))).url).split('#token=')[1]!, groupId: secret.id }),
  };

  const world: World = {
    people,
    actors,
    groups: { open, closed, secret, subOfSecret, moveTarget, otherAdmins },
    objects,
    fresh,
    timings,
  };
  mark('done');
  return world;
}

// ---------------------------------------------------------------------------------------------
// Facts, read back from the table with the use cases' own mappers
// ---------------------------------------------------------------------------------------------

let mappers: Promise<{
  facts: (g: any) => GroupFacts;
  threadFacts: (t: any) => DiscussionFacts;
  pollFacts: (p: any) => PollFacts;
  ballotIdFor: (pollId: string, userId: string) => Promise<string>;
}> | undefined;

function loadMappers() {
  mappers ??= (async () => {
    useStackEnv();
    const groups = await import('../../functions/groups/store.ts');
    const discussions = await import('../../functions/discussions/store.ts');
    const polls = await import('../../functions/polls/store.ts');
    return { facts: groups.facts, threadFacts: discussions.threadFacts, pollFacts: polls.pollFacts, ballotIdFor: polls.ballotIdFor };
  })();
  return mappers;
}

async function item(pk: string, sk: string): Promise<any> {
  return (await rawTable().send(new GetCommand({ TableName: inject('tableName'), Key: { pk, sk } }))).Item ?? null;
}

const activeRole = (m: any) => (m && !m.revokedAt ? { role: m.role as 'admin' | 'member' } : null);

/** The facts of one group and what the actor is in it (and in its parent), as loadGroup reads them. */
export async function groupFactsFor(groupId: string, actor: Actor): Promise<{ group: GroupFacts; viewer: Viewer; raw: any }> {
  const { facts } = await loadMappers();
  const raw = await item(`group#${groupId}`, 'group');
  if (!raw) throw new Error(`fixture group ${groupId} is gone`);
  const userId = actor.signedIn ? actor.person!.userId : null;
  const membership = userId ? activeRole(await item(`group#${groupId}`, `member#${userId}`)) : null;
  const parentMembership = userId && raw.parentId && !membership ? activeRole(await item(`group#${raw.parentId}`, `member#${userId}`)) : null;
  return { group: facts(raw), viewer: { userId, membership, parentMembership }, raw };
}

export interface Facts {
  actor: Actor;
  userId: string | null;
  signedIn: boolean;
  obj: Obj;
  group: GroupFacts | null;
  viewer: Viewer;
  parent: { group: GroupFacts; viewer: Viewer } | null;
  thread: DiscussionFacts | null;
  poll: PollFacts | null;
  hasVoted: boolean;
  invited: boolean;
  comment: CommentFacts | null;
  /** For a move: the destination group the actor names (theirs) and what they are there. */
  destination: { group: GroupFacts; viewer: Viewer } | null;
}

const signedOutViewer: Viewer = { userId: null, membership: null, parentMembership: null };

/** Reads every fact a decision may need, fresh, for one actor and one object. */
export async function factsFor(world: World, actor: Actor, obj: Obj): Promise<Facts> {
  const { threadFacts, pollFacts } = await loadMappers();
  const userId = actor.signedIn ? actor.person!.userId : null;
  const base: Facts = {
    actor, userId, signedIn: actor.signedIn, obj, group: null, viewer: { ...signedOutViewer, userId }, parent: null,
    thread: null, poll: null, hasVoted: false, invited: false, comment: null, destination: null,
  };
  let groupId = obj.groupId;
  if (obj.name === 'importAdmin' || obj.name === 'importUpload' || obj.name === 'self' || obj.name === 'none' || obj.name === 'unsubscribeToken') return base;
  let threadRaw: any = null;
  if (obj.threadId) {
    threadRaw = await item(`discussion#${obj.threadId}`, 'thread');
    if (threadRaw) { base.thread = threadFacts(threadRaw); groupId = threadRaw.groupId; }
  }
  if (obj.pollId) {
    const p = await item(`poll#${obj.pollId}`, 'poll');
    if (p) {
      base.poll = pollFacts(p);
      // A poll in a thread follows its thread; one standing alone, its own group.
      if (p.threadId) {
        const t = threadRaw ?? (await item(`discussion#${p.threadId}`, 'thread'));
        base.thread = threadFacts(t);
        groupId = t.groupId;
      } else groupId = p.groupId;
      if (userId) {
        base.hasVoted = Boolean(await item(`poll#${obj.pollId}`, `voter#${userId}`));
        base.invited = Boolean(await item(`poll#${obj.pollId}`, `invitee#${userId}`));
      }
    }
  }
  if (obj.commentSeq !== undefined && obj.threadId) {
    const c = await item(`discussion#${obj.threadId}`, `item#${String(obj.commentSeq).padStart(10, '0')}`);
    base.comment = { authorId: c?.authorId ?? obj.commentAuthorId!, deleted: Boolean(c?.deletedAt) };
  }
  if (groupId) {
    const g = await groupFactsFor(groupId, actor);
    base.group = g.group;
    base.viewer = g.viewer;
    if (g.raw.parentId) base.parent = await groupFactsFor(g.raw.parentId, actor).then(({ group, viewer }) => ({ group, viewer }));
  }
  if (obj.threadId && actor.signedIn) {
    const target = actor.name === 'otherAdmin' ? world.groups.otherAdmins.id : world.groups.moveTarget.id;
    const d = await groupFactsFor(target, actor);
    base.destination = { group: d.group, viewer: d.viewer };
  }
  return base;
}
