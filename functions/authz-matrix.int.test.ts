import { beforeAll, describe, expect, inject, it } from 'vitest';
import { routes, splitRouteKey, type RouteKey } from '../shared/api/routes.ts';
import { canAnnounce } from '../shared/permissions/announcements.ts';
import {
  canComment, canDeleteComment, canEditComment, canEditDiscussion, canManageDiscussion, canMoveDiscussionTo, canReact, canSeeDiscussion, canStartDiscussion,
} from '../shared/permissions/discussions.ts';
import { canExportGroup, canSeeAudit } from '../shared/permissions/exports.ts';
import {
  canArchiveGroup, canBecomeAdmin, canChangeRoles, canCreateSubgroup, canEditGroup, canInvite, canRemoveMembership, canRequestMembership,
  canResetJoinLink, canReviewRequests, canSeeEmailOf, canSeeGroup, canSeeMembers, isMember,
} from '../shared/permissions/groups.ts';
import {
  canCreatePoll, canManagePoll, canReopenPoll, canSeePoll, canSeeResults, canSeeVotes, canVote, canWriteOutcome,
} from '../shared/permissions/polls.ts';
import { ORIGIN_HEADER } from './lib/origin.ts';
import { randomViewer, signIn, uniqueEmail } from '../scripts/test-support/api.ts';
import {
  actorNames, buildWorld, choicesFor, factsFor, type Actor, type ActorName, type Facts, type Obj, type ObjectName, type World,
} from '../scripts/test-support/matrix.ts';

/**
 * The authorization matrix: every route of the route table, for every actor, on every kind of
 * object its parameters can name. What each cell must answer is computed by calling the shared
 * permission function that decides the route with the facts of the fixture as stored; nothing
 * here restates a rule. The status convention (functions/lib/errors.ts):
 *   - signed out (or an old cookie) on an auth-required route: 401;
 *   - denied, and the actor may not see the object: 404, exactly;
 *   - denied, but the actor may see the object: 403 (a 404 is accepted too: it tells less);
 *   - allowed: a 2xx or 302, or a refusal about the input or the object's state, not about who asks
 *     (400, 409, 422, 429 and any `input` statuses the entry documents).
 * Every answer, whatever its status, must carry no marker text of an object the actor may not see.
 */

type Decision = { see: boolean; allow: boolean };
type Phase = 'read' | 'write' | 'late' | 'destructive' | 'final' | 'terminal';

interface Entry {
  /** The objects its path parameter (or, for body-named routes, its body) names. */
  objects: readonly ObjectName[];
  /** Calls the shared permission functions that decide this route. */
  decide: (f: Facts) => Decision;
  /** read: GETs; write: changes that leave fixtures as they were for every later row; late: undoing a write;
   *  destructive: allowed cells run on a fresh copy; final: in `order`, after everything else; terminal: account-ending. */
  phase?: Phase;
  order?: number;
  body?: (f: Facts, world: World) => unknown | Promise<unknown>;
  query?: (f: Facts) => string;
  headers?: () => Record<string, string>;
  /** Allowed cells run on a fresh copy of the object (world.fresh), prepared by `prepare`. */
  fresh?: boolean;
  prepare?: (obj: Obj, world: World) => Promise<void>;
  /** Statuses that mean "allowed, but this input is refused", beyond 400, 409, 422 and 429. */
  input?: readonly number[];
  /** The permission function refuses because of the object's state (a closed poll, an existing membership):
   *  an actor who may see the object may then be answered 409 instead of 403. */
  conflict?: true;
  /** Answers other than 404 that a refusal to an actor who may not see the object may take, because they are
   *  exactly what a made-up value gets (the value is input, not an object the actor can learn about). */
  unknownAs?: readonly number[];
  /** Objects a capability token (invitation, join link) may name to whoever holds it. */
  reveals?: (f: Facts) => readonly ObjectName[];
}

// ---- Deciders, built only from the shared permission functions -----------------------------

const anyone = (): Decision => ({ see: true, allow: true });
const signedIn = (f: Facts): Decision => ({ see: f.signedIn, allow: f.signedIn });
const seesGroup = (f: Facts) => f.group !== null && canSeeGroup(f.group, f.viewer);
const seesThread = (f: Facts) => f.group !== null && f.thread !== null && canSeeDiscussion(f.group, f.viewer, f.thread);
const seesPoll = (f: Facts) => f.group !== null && f.poll !== null && canSeePoll(f.group, f.viewer, f.thread);
const seesComment = (f: Facts) => seesThread(f) && f.comment !== null && !f.comment.deleted;

const group = (rule: (f: Facts) => boolean) => (f: Facts): Decision => ({ see: seesGroup(f), allow: seesGroup(f) && rule(f) });
const thread = (rule: (f: Facts) => boolean) => (f: Facts): Decision => ({ see: seesThread(f), allow: seesThread(f) && rule(f) });
const poll = (rule: (f: Facts) => boolean) => (f: Facts): Decision => ({ see: seesPoll(f), allow: seesPoll(f) && rule(f) });
const comment = (rule: (f: Facts) => boolean) => (f: Facts): Decision => ({ see: seesComment(f), allow: seesComment(f) && rule(f) });
/** Some routes answer 404 to every refusal: whoever may not act may not know the object is there. */
const hidden = (rule: (f: Facts) => boolean) => (f: Facts): Decision => { const allow = rule(f); return { see: allow, allow }; };

const g = (f: Facts) => f.group!;
const groups = ['open', 'closed', 'secret', 'subOfSecret'] as const;
const threads = ['threadOpen', 'threadClosed', 'threadSecret', 'threadSub', 'threadMoved'] as const;
const comments = ['commentOpen', 'commentClosed', 'commentSecret', 'commentSub', 'commentMoved'] as const;
const polls = ['pollPublic', 'pollHidden', 'pollAnonymous', 'pollSecret', 'pollMoved', 'pollElection', 'pollClosed'] as const;
const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const isThread = (o: Obj) => (threads as readonly string[]).includes(o.name);
const isGroup = (o: Obj) => (groups as readonly string[]).includes(o.name);
const tokenGroup = (f: Facts): readonly ObjectName[] => (f.obj.name.endsWith('Secret') ? ['secret'] : ['closed']);

const matrix = {
  // ---- Sign-in and the signed-in person ----
  'POST /api/auth/email': { objects: ['none'], decide: anyone, body: () => ({ email: uniqueEmail('matrix') }), headers: () => ({ 'cloudfront-viewer-address': randomViewer() }) },
  // A made-up token or password: what matters is that nothing about the caller changes the answer.
  'POST /api/auth/token': { objects: ['none'], decide: anyone, body: () => ({ token: 'A'.repeat(43) }), input: [401] },
  'POST /api/auth/password': { objects: ['none'], decide: anyone, body: () => ({ email: uniqueEmail('matrix'), password: 'not the password 1' }), input: [401], headers: () => ({ 'cloudfront-viewer-address': randomViewer() }) },
  'DELETE /api/auth/session': { objects: ['self'], decide: anyone, phase: 'terminal' },
  'DELETE /api/auth/sessions': { objects: ['self'], decide: signedIn, phase: 'terminal' },
  'GET /api/me': { objects: ['self'], decide: signedIn },
  'PATCH /api/me': { objects: ['self'], decide: signedIn, body: (f) => ({ name: f.actor.person?.name ?? 'Someone' }) },
  'GET /api/openapi.json': { objects: ['none'], decide: anyone },
  'GET /.well-known/moot-archive-keys.json': { objects: ['none'], decide: anyone },
  'GET /api/me/data': { objects: ['self'], decide: signedIn },
  'POST /api/me/exports': { objects: ['self'], decide: signedIn },
  'POST /api/me/deactivate': { objects: ['self'], decide: signedIn, phase: 'terminal' },
  'PUT /api/me/password': { objects: ['self'], decide: signedIn, body: () => ({ password: 'Matrix passphrase 7431' }) },
  'DELETE /api/me/password': { objects: ['self'], decide: signedIn, phase: 'late' },
  'DELETE /api/me': { objects: ['self'], decide: signedIn, phase: 'terminal' },

  // ---- Groups ----
  'POST /api/groups': {
    objects: ['none', ...groups],
    decide: (f) => (isGroup(f.obj) ? group((x) => canCreateSubgroup(g(x), x.viewer))(f) : signedIn(f)),
    body: (f) => ({ name: `Matrix new ${Math.random().toString(36).slice(2, 8)}`, ...(isGroup(f.obj) ? { parentId: f.obj.pathId } : {}) }),
  },
  'GET /api/groups': { objects: ['none'], decide: signedIn },
  'GET /api/groups/{id}': { objects: groups, decide: hidden(seesGroup) },
  'PATCH /api/groups/{id}': { objects: groups, decide: group((f) => canEditGroup(g(f), f.viewer)), body: () => ({ description: 'Edited by the matrix' }) },
  'DELETE /api/groups/{id}': { objects: groups, decide: group((f) => canArchiveGroup(g(f), f.viewer)), phase: 'final', order: 100 },
  'GET /api/groups/{id}/memberships': { objects: groups, decide: hidden((f) => f.group !== null && canSeeMembers(g(f), f.viewer)) },
  'PATCH /api/memberships/{id}': {
    objects: ['membershipClosed', 'ownMembershipClosed'],
    decide: (f) => {
      const see = seesGroup(f) && canSeeMembers(g(f), f.viewer);
      const own = f.obj.name === 'ownMembershipClosed';
      const allow = see && (canChangeRoles(g(f), f.viewer) || (own && isMember(f.viewer) && canBecomeAdmin(g(f), f.viewer)));
      return { see, allow };
    },
    body: (f) => (f.obj.name === 'ownMembershipClosed' ? { role: 'admin' } : { title: 'Matrix title' }),
  },
  'DELETE /api/memberships/{id}': {
    objects: ['membershipClosed', 'ownMembershipClosed'],
    decide: group((f) => canRemoveMembership(g(f), f.viewer, f.obj.ownerId ?? f.userId ?? '')),
    phase: 'final', order: 50, fresh: true,
  },
  'POST /api/groups/{id}/invitations': { objects: groups, decide: group((f) => canInvite(g(f), f.viewer)), body: () => ({ emails: [uniqueEmail('matrix-invitee')] }) },
  'GET /api/groups/{id}/invitations': { objects: groups, decide: group((f) => canInvite(g(f), f.viewer)) },
  'DELETE /api/invitations/{id}': { objects: ['invitationClosed', 'invitationSecret'], decide: group((f) => canInvite(g(f), f.viewer)), phase: 'destructive', fresh: true },
  'POST /api/invitations/{id}/resend': { objects: ['invitationClosed', 'invitationSecret'], decide: group((f) => canInvite(g(f), f.viewer)), phase: 'destructive', fresh: true },
  // The link's token is the capability: whoever holds it may read and accept it (no permission function; see the report).
  'GET /api/invitations/{id}': { objects: ['invitationTokenClosed', 'invitationTokenSecret'], decide: anyone, reveals: tokenGroup },
  'POST /api/invitations/{id}/accept': { objects: ['invitationTokenClosed', 'invitationTokenSecret'], decide: anyone, phase: 'destructive', fresh: true, reveals: tokenGroup },
  'POST /api/groups/{id}/join-link': { objects: groups, decide: group((f) => canResetJoinLink(g(f), f.viewer)), phase: 'final', order: 30 },
  'GET /api/join/{token}': { objects: ['joinTokenClosed', 'joinTokenSecret'], decide: anyone, reveals: tokenGroup },
  'POST /api/join/{token}': { objects: ['joinTokenClosed', 'joinTokenSecret'], decide: signedIn, phase: 'final', order: 40, fresh: true, reveals: tokenGroup },
  'POST /api/groups/{id}/membership-requests': { objects: groups, decide: group((f) => canRequestMembership(g(f), f.viewer)), body: () => ({ introduction: 'Matrix' }), conflict: true },
  'GET /api/groups/{id}/membership-requests': { objects: groups, decide: group((f) => canReviewRequests(g(f), f.viewer)) },
  'POST /api/membership-requests/{id}/approve': { objects: ['requestClosed'], decide: group((f) => canReviewRequests(g(f), f.viewer)), phase: 'destructive', fresh: true },
  'POST /api/membership-requests/{id}/ignore': { objects: ['requestClosed'], decide: group((f) => canReviewRequests(g(f), f.viewer)), phase: 'destructive', fresh: true },

  // ---- Threads ----
  'POST /api/groups/{id}/discussions': { objects: groups, decide: group((f) => canStartDiscussion(g(f), f.viewer)), body: () => ({ title: 'Matrix thread' }) },
  'GET /api/groups/{id}/discussions': { objects: groups, decide: hidden(seesGroup) },
  'POST /api/groups/{id}/discussions/read': { objects: groups, decide: hidden(seesGroup) },
  'GET /api/discussions/{id}': { objects: threads, decide: hidden(seesThread) },
  'PATCH /api/discussions/{id}': { objects: threads, decide: thread((f) => canEditDiscussion(g(f), f.viewer, f.thread!)), body: () => ({ description: 'Edited by the matrix' }) },
  'POST /api/discussions/{id}/close': { objects: threads, decide: thread((f) => canManageDiscussion(g(f), f.viewer, f.thread!)), phase: 'destructive', fresh: true },
  'POST /api/discussions/{id}/reopen': {
    objects: threads, decide: thread((f) => canManageDiscussion(g(f), f.viewer, f.thread!)), phase: 'destructive', fresh: true,
    prepare: async (o, w) => { await call('POST', `/api/discussions/${o.pathId}/close`, { cookie: w.people.admin.cookie }); },
  },
  'POST /api/discussions/{id}/pin': { objects: threads, decide: thread((f) => canManageDiscussion(g(f), f.viewer, f.thread!)) },
  'POST /api/discussions/{id}/unpin': { objects: threads, decide: thread((f) => canManageDiscussion(g(f), f.viewer, f.thread!)), phase: 'late' },
  'POST /api/discussions/{id}/move': {
    objects: threads,
    decide: thread((f) => f.destination !== null && canMoveDiscussionTo(g(f), f.viewer, f.thread!, f.destination.group, f.destination.viewer)),
    body: (f, w) => ({ groupId: f.actor.name === 'otherAdmin' ? w.groups.otherAdmins.id : w.groups.moveTarget.id }),
    phase: 'destructive', fresh: true,
  },
  'GET /api/discussions/{id}/events': { objects: threads, decide: hidden(seesThread) },
  'GET /api/discussions/{id}/versions': { objects: threads, decide: hidden(seesThread) },
  'POST /api/discussions/{id}/read': { objects: threads, decide: hidden(seesThread), body: () => ({ ranges: [[1, 1]] }) },
  'POST /api/discussions/{id}/comments': { objects: threads, decide: thread((f) => canComment(g(f), f.viewer, f.thread!)), body: () => ({ body: 'Matrix comment' }) },
  'PATCH /api/comments/{id}': { objects: comments, decide: comment((f) => canEditComment(g(f), f.viewer, f.thread!, f.comment!)), body: (f) => ({ body: f.obj.extra?.body ?? 'Matrix edit' }) },
  'DELETE /api/comments/{id}': { objects: comments, decide: comment((f) => canDeleteComment(g(f), f.viewer, f.thread!, f.comment!)), phase: 'destructive', fresh: true },
  'GET /api/comments/{id}/versions': { objects: comments, decide: hidden(seesComment) },
  'PUT /api/reactions': {
    objects: [...threads, ...comments], decide: thread((f) => canReact(g(f), f.viewer, f.thread!)),
    body: (f) => ({ subject: { type: isThread(f.obj) ? 'discussion' : 'comment', id: f.obj.pathId }, emoji: 'heart' }),
  },
  'DELETE /api/reactions': {
    objects: [...threads, ...comments], decide: thread((f) => canReact(g(f), f.viewer, f.thread!)), phase: 'late',
    body: (f) => ({ subject: { type: isThread(f.obj) ? 'discussion' : 'comment', id: f.obj.pathId } }),
  },
  'POST /api/uploads': { objects: ['none'], decide: signedIn, body: () => ({ filename: 'matrix.txt', contentType: 'text/plain', size: 5 }) },
  'GET /api/attachments/{id}': { objects: ['attachmentClosed', 'attachmentSecret', 'attachmentMoved'], decide: hidden(seesThread) },
  'PUT /api/discussions/{id}/volume': { objects: threads, decide: hidden((f) => seesThread(f) && isMember(f.viewer)), body: () => ({ volume: 'quiet' }) },

  // ---- Polls ----
  'POST /api/polls': {
    objects: [...groups, ...threads],
    decide: (f) => (isThread(f.obj)
      ? thread((x) => canCreatePoll(g(x), x.viewer, x.thread))(f)
      : group((x) => canCreatePoll(g(x), x.viewer, null))(f)),
    // A thread is named with the group its id carries: for the moved thread, the old group (finding 12a).
    body: (f) => ({
      groupId: isThread(f.obj) ? f.obj.pathId.split('.')[0] : f.obj.pathId,
      ...(isThread(f.obj) ? { discussionId: f.obj.pathId } : {}),
      type: 'proposal', title: 'Matrix poll', closingAt: inAWeek(),
    }),
  },
  'GET /api/polls/{id}': { objects: polls, decide: hidden(seesPoll) },
  'PATCH /api/polls/{id}': { objects: polls, decide: poll((f) => canManagePoll(g(f), f.viewer, f.poll!)), body: () => ({ details: 'Edited by the matrix' }) },
  'POST /api/polls/{id}/close': { objects: polls, decide: poll((f) => canManagePoll(g(f), f.viewer, f.poll!)), phase: 'destructive', fresh: true },
  'POST /api/polls/{id}/reopen': {
    objects: ['pollClosed', 'pollHidden', 'pollSecret', 'pollMoved'], decide: poll((f) => canReopenPoll(g(f), f.viewer, f.poll!)),
    body: () => ({ closingAt: inAWeek() }), phase: 'destructive', fresh: true,
  },
  'POST /api/polls/{id}/remind': { objects: polls, decide: poll((f) => canManagePoll(g(f), f.viewer, f.poll!)), body: () => ({}) },
  'GET /api/polls/{id}/results.csv': { objects: polls, decide: poll((f) => canSeeResults(f.poll!, f.hasVoted)) },
  'GET /api/polls/{id}/ballots.blt': { objects: ['pollElection'], decide: poll((f) => canSeeResults(f.poll!, f.hasVoted)) },
  'PUT /api/polls/{id}/vote': { objects: polls, decide: poll((f) => canVote(g(f), f.viewer, f.poll!, f.invited)), body: (f) => ({ choices: choicesFor(f.obj.extra?.type) }), conflict: true },
  'DELETE /api/polls/{id}/vote': { objects: polls, decide: poll((f) => canVote(g(f), f.viewer, f.poll!, f.invited)), phase: 'late', input: [404], conflict: true },
  'GET /api/polls/{id}/votes': { objects: polls, decide: poll((f) => canSeeVotes(f.poll!, f.hasVoted)) },
  // Only anonymous polls give receipts; a made-up receipt is input (422), never a way to learn about the poll.
  'POST /api/polls/{id}/receipt': { objects: ['pollAnonymous'], decide: poll(() => true), body: () => ({ receipt: 'A'.repeat(32) }) },
  'GET /api/polls/{id}/ballots': { objects: ['pollAnonymous'], decide: poll((f) => canSeeResults(f.poll!, f.hasVoted)) },
  'POST /api/polls/{id}/outcome': {
    objects: ['pollClosed', 'pollSecret', 'pollMoved'], decide: poll((f) => canWriteOutcome(g(f), f.viewer, f.poll!)),
    body: () => ({ statement: 'Matrix outcome' }), phase: 'destructive', fresh: true, conflict: true,
  },
  'GET /api/outcomes/{id}/invite.ics': { objects: ['outcomeMeeting'], decide: hidden(seesPoll) },
  // Listing a group's polls is seeing the polls that stand alone in it: members only.
  'GET /api/groups/{id}/polls': { objects: groups, decide: hidden((f) => f.group !== null && canSeePoll(g(f), f.viewer, null)), query: () => '?status=open' },
  'PUT /api/polls/{id}/volume': { objects: polls, decide: hidden((f) => seesPoll(f) && isMember(f.viewer)), body: () => ({ volume: 'quiet' }) },

  // ---- Notifications and announcements ----
  'GET /api/notifications': { objects: ['self'], decide: signedIn },
  'POST /api/notifications/read': { objects: ['self'], decide: signedIn, body: () => ({ all: true }) },
  'PUT /api/groups/{id}/volume': { objects: groups, decide: hidden((f) => seesGroup(f) && isMember(f.viewer)), body: () => ({ volume: 'quiet' }) },
  'GET /api/me/email-preferences': { objects: ['self'], decide: signedIn },
  'PUT /api/me/email-preferences': {
    objects: ['self'], decide: signedIn,
    body: async (f) => (await call('GET', '/api/me/email-preferences', { cookie: f.actor.cookie })).json ?? { defaultVolume: 'normal', digest: 'never', timeZone: 'UTC', categories: {} },
  },
  // The signed token is the capability (RFC 8058): no session and no permission function.
  'GET /api/unsubscribe': { objects: ['unsubscribeToken'], decide: anyone, query: (f) => `?token=${encodeURIComponent(f.obj.pathId)}` },
  'POST /api/unsubscribe': { objects: ['unsubscribeToken'], decide: anyone, query: (f) => `?token=${encodeURIComponent(f.obj.pathId)}` },
  'POST /api/announcements': {
    objects: ['threadClosed', 'threadSecret', 'threadMoved', 'pollHidden', 'pollSecret', 'pollMoved', 'outcomeMeeting'],
    decide: (f) => {
      const see = isThread(f.obj) ? seesThread(f) : seesPoll(f);
      const authorId = (isThread(f.obj) ? f.thread?.authorId : f.poll?.authorId) ?? '';
      return { see, allow: see && canAnnounce(g(f), f.viewer, { authorId }) };
    },
    body: (f, w) => ({
      subject: { type: isThread(f.obj) ? 'discussion' : f.obj.name === 'outcomeMeeting' ? 'outcome' : 'poll', id: f.obj.pathId },
      audience: { kind: 'members', userIds: [w.people.admin.userId] },
    }),
  },

  // ---- Audit, exports and imports ----
  'GET /api/groups/{id}/audit': { objects: groups, decide: group((f) => canSeeAudit(g(f), f.viewer)) },
  'GET /api/groups/{id}/audit.csv': { objects: groups, decide: group((f) => canSeeAudit(g(f), f.viewer)) },
  'POST /api/groups/{id}/exports': { objects: groups, decide: group((f) => canExportGroup(g(f), f.viewer)) },
  'GET /api/groups/{id}/exports': { objects: groups, decide: group((f) => canExportGroup(g(f), f.viewer)) },
  // An export is its requester's, and only while they may still export the group (finding 7).
  'GET /api/exports/{id}': { objects: ['exportAdmin', 'exportDemoted'], decide: hidden((f) => f.group !== null && canExportGroup(g(f), f.viewer) && f.userId === f.obj.ownerId) },
  'POST /api/imports/uploads': { objects: ['none'], decide: signedIn, body: () => ({ size: 1000 }) },
  // Someone else's upload key is answered as a made-up one: 422 on uploadKey.
  'POST /api/imports': {
    objects: ['importUpload'], decide: hidden((f) => f.userId === f.obj.ownerId), body: (f) => ({ uploadKey: f.obj.extra?.uploadKey }),
    phase: 'destructive', fresh: true, unknownAs: [422],
  },
  'GET /api/imports': { objects: ['none'], decide: signedIn },
  'GET /api/imports/{id}': { objects: ['importAdmin'], decide: hidden((f) => f.userId === f.obj.ownerId) },
} as const satisfies Record<RouteKey, Entry>;

// ---- Running cells -------------------------------------------------------------------------

interface Reply { status: number; text: string; json: any }

async function call(method: string, path: string, options: { cookie?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
  const appUrl = inject('appUrl');
  const response = await fetch(`${appUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      // As the browser sends them through CloudFront: same-site, behind the origin secret.
      origin: appUrl,
      'sec-fetch-site': 'same-origin',
      [ORIGIN_HEADER]: inject('originSecret'),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: response.status, text, json };
}

async function pool<T>(items: T[], limit: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await each(items[next++]!);
  }));
}

const entries = matrix as Record<RouteKey, Entry>;
const phaseOf = (key: RouteKey): Phase => entries[key].phase ?? (splitRouteKey(key).method === 'GET' ? 'read' : 'write');
const failures = new Map<RouteKey, string[]>();
const cellsRun = new Map<RouteKey, { allowed: number; denied: number }>();
const routeMs = new Map<RouteKey, number>();
let world: World;
/** Marker texts each actor may not receive, computed once with the permission functions. */
const forbiddenText = new Map<ActorName, Array<{ text: string; of: string }>>();

function pathFor(key: RouteKey, obj: Obj, actor: Actor): string {
  const { path } = splitRouteKey(key);
  let id = obj.pathId;
  if (obj.name === 'ownMembershipClosed') id = `${obj.groupId}.${(actor.person ?? world.people.member).userId}`;
  return path.replace(/\{(id|token)\}/, encodeURIComponent(id));
}

function verdict(key: RouteKey, entry: Entry, f: Facts, d: Decision, reply: Reply): string | null {
  const spec = routes[key];
  const inputOk = [400, 409, 422, 429, ...(entry.input ?? [])];
  let expected: string;
  let ok: boolean;
  if (spec.auth === 'required' && !f.signedIn) { expected = '401'; ok = reply.status === 401; }
  else if (d.allow) { expected = `2xx/302 (or input ${inputOk.join('/')})`; ok = (reply.status >= 200 && reply.status < 303) || inputOk.includes(reply.status); }
  else if (d.see) { expected = `403 (or 404${entry.conflict ? ', 409' : ''})`; ok = reply.status === 403 || reply.status === 404 || (entry.conflict === true && reply.status === 409); }
  else { expected = ['404', ...(entry.unknownAs ?? [])].join(' or '); ok = reply.status === 404 || (entry.unknownAs ?? []).includes(reply.status); }
  if (!ok) return `${f.actor.name} on ${f.obj.name}: expected ${expected}, got ${reply.status} ${reply.text.slice(0, 160)}`;
  return null;
}

function leaks(entry: Entry, f: Facts, reply: Reply, phase: Phase): string | null {
  if (phase === 'final' || phase === 'terminal') return null;
  const revealed = entry.reveals?.(f) ?? [];
  const texts = [...(forbiddenText.get(f.actor.name) ?? [])];
  // Who voted in an anonymous poll is seen by nobody (canSeeVotes is false for it): no answer about it names its voter.
  if (f.obj.name === 'pollAnonymous' && f.poll && !canSeeVotes(f.poll, f.hasVoted) && f.actor.name !== 'member') {
    texts.push({ text: world.people.member.name, of: 'pollAnonymous (its voter)' }, { text: world.people.member.userId, of: 'pollAnonymous (its voter)' });
  }
  const found = texts.filter((m) => reply.text.includes(m.text) && !revealed.includes(m.of as ObjectName));
  return found.length ? `${f.actor.name} on ${f.obj.name}: the answer (${reply.status}) names ${found.map((m) => m.of).join(', ')}, which they may not see` : null;
}

/** A read of a poll whose results the actor may not see carries no results (counts included). Writes are left
 *  out: closing a poll, for one, rightly answers with the results it has just made visible. */
function hiddenResults(method: string, f: Facts, reply: Reply): string | null {
  if (method !== 'GET' || !f.poll || reply.status >= 300 || !reply.json || !('results' in reply.json) || reply.json.results === null) return null;
  if (canSeeResults(f.poll, f.hasVoted)) return null;
  return `${f.actor.name} on ${f.obj.name}: the answer (${reply.status}) carries results the actor may not see yet`;
}

async function runCell(key: RouteKey, actorName: ActorName, objName: ObjectName, phase: Phase): Promise<void> {
  const entry = entries[key];
  let actor = world.actors[actorName];
  // Account-ending routes act on an account of the actor's own kind made for the purpose.
  if (phase === 'terminal' && actor.signedIn) {
    const person = await signIn();
    actor = { ...actor, person: { ...person, name: 'Disposable' }, cookie: person.cookie };
  }
  let obj = world.objects[objName];
  let f = await factsFor(world, actor, obj);
  let d = entry.decide(f);
  const reachesUseCase = routes[key].auth !== 'required' || f.signedIn;
  if (entry.fresh && d.allow && reachesUseCase && world.fresh[objName]) {
    obj = await world.fresh[objName]!(actor);
    await entry.prepare?.(obj, world);
    f = await factsFor(world, actor, obj);
    d = entry.decide(f);
  }
  const { method } = splitRouteKey(key);
  const t = Date.now();
  const reply = await call(method, pathFor(key, obj, actor) + (entry.query?.(f) ?? ''), {
    cookie: actor.cookie,
    body: entry.body ? await entry.body(f, world) : undefined,
    headers: entry.headers?.(),
  });
  routeMs.set(key, (routeMs.get(key) ?? 0) + Date.now() - t);
  const counts = cellsRun.get(key) ?? { allowed: 0, denied: 0 };
  counts[d.allow && reachesUseCase ? 'allowed' : 'denied']++;
  cellsRun.set(key, counts);
  const problems = [verdict(key, entry, f, d, reply), leaks(entry, f, reply, phase), hiddenResults(method, f, reply)].filter((p): p is string => p !== null);
  if (problems.length) failures.set(key, [...(failures.get(key) ?? []), ...problems]);
}

/** Denied cells first, then allowed ones, so no allowed write changes an object before a denial is tried on it. */
async function runPhase(phase: Phase, concurrency: number): Promise<void> {
  const keys = (Object.keys(entries) as RouteKey[]).filter((k) => phaseOf(k) === phase).sort((a, b) => (entries[a].order ?? 0) - (entries[b].order ?? 0));
  const cellsOf = (key: RouteKey) => entries[key].objects.flatMap((o) => actorNames.map((a) => ({ key, actor: a, obj: o })));
  if (phase === 'final') {
    for (const key of keys) {
      const cells = cellsOf(key);
      const decided = await Promise.all(cells.map(async (c) => ({ c, allow: entries[key].decide(await factsFor(world, world.actors[c.actor], world.objects[c.obj])).allow })));
      for (const { c } of [...decided.filter((x) => !x.allow), ...decided.filter((x) => x.allow)]) await runCell(c.key, c.actor, c.obj, phase);
    }
    return;
  }
  await pool(keys.flatMap(cellsOf), concurrency, (c) => runCell(c.key, c.actor, c.obj, phase));
}

// ---- The suite -------------------------------------------------------------------------------

const started = Date.now();
const timings: Record<string, number> = {};

describe('the authorization matrix', () => {
  beforeAll(async () => {
    world = await buildWorld();
    timings.fixtures = Date.now() - started;
    // What each actor may not receive: marker texts of objects their permission functions hide.
    const rules: Array<{ obj: ObjectName; text: (o: Obj) => string | undefined; visible: (f: Facts) => boolean }> = [
      ...groups.map((o) => ({ obj: o, text: (x: Obj) => x.marker, visible: seesGroup })),
      ...(['secret', 'subOfSecret'] as const).flatMap((o) => [
        { obj: o, text: () => world.groups[o].id, visible: seesGroup },
        { obj: o, text: () => world.groups[o].handle, visible: seesGroup },
      ]),
      ...threads.map((o) => ({ obj: o, text: (x: Obj) => x.marker, visible: seesThread })),
      ...comments.map((o) => ({ obj: o, text: (x: Obj) => x.marker, visible: seesComment })),
      ...(['attachmentClosed', 'attachmentSecret', 'attachmentMoved'] as const).map((o) => ({ obj: o, text: (x: Obj) => x.marker, visible: seesThread })),
      ...polls.map((o) => ({ obj: o, text: (x: Obj) => x.marker, visible: seesPoll })),
      // A vote's reason is "who voted how": canSeeVotes, except for the voter's own ballot.
      ...polls.filter((o) => o !== 'pollAnonymous').map((o) => ({
        obj: o, text: (x: Obj) => x.extra?.reason,
        visible: (f: Facts) => seesPoll(f) && (canSeeVotes(f.poll!, f.hasVoted) || f.userId === world.people.admin.userId),
      })),
      { obj: 'outcomeMeeting', text: (x) => x.marker, visible: seesPoll },
      { obj: 'invitationClosed', text: (x) => x.marker, visible: (f) => seesGroup(f) && canInvite(g(f), f.viewer) },
      { obj: 'invitationSecret', text: (x) => x.marker, visible: (f) => seesGroup(f) && canInvite(g(f), f.viewer) },
      { obj: 'membershipClosed', text: () => world.people.plain.email, visible: (f) => seesGroup(f) && canSeeEmailOf(f.viewer, world.people.plain.userId) },
      { obj: 'importAdmin', text: (x) => x.marker, visible: (f) => f.userId === f.obj.ownerId },
      // An export's files (their storage keys carry `/<exportId>/`) are its requester's while they may export the group;
      // the audit trail may still say that an export was asked for.
      ...(['exportAdmin', 'exportDemoted'] as const).map((o) => ({ obj: o, text: (x: Obj) => `/${x.pathId}/`, visible: (f: Facts) => matrix['GET /api/exports/{id}'].decide(f).allow })),
    ];
    for (const actor of actorNames) {
      const hiddenTexts: Array<{ text: string; of: string }> = [];
      for (const rule of rules) {
        const obj = world.objects[rule.obj];
        const text = rule.text(obj);
        if (!text) continue;
        if (!rule.visible(await factsFor(world, world.actors[actor], obj))) hiddenTexts.push({ text, of: rule.obj });
      }
      forbiddenText.set(actor, hiddenTexts);
    }
  }, 600_000);

  it('covers every route of the route table, and nothing else', () => {
    expect(Object.keys(matrix).sort()).toEqual(Object.keys(routes).sort());
    for (const entry of Object.values(entries)) expect(entry.objects.length).toBeGreaterThan(0);
  });

  it('can see the data at all: the admin reads every fixture object and finds its marker', async () => {
    const reads: Array<[ObjectName, string]> = [
      ...groups.map((o) => [o, `/api/groups/${world.objects[o].pathId}`] as [ObjectName, string]),
      ...threads.map((o) => [o, `/api/discussions/${world.objects[o].pathId}`] as [ObjectName, string]),
      ...comments.map((o) => [o, `/api/discussions/${world.objects[o].apiThreadId}/events?from=1`] as [ObjectName, string]),
      ...(['attachmentClosed', 'attachmentSecret', 'attachmentMoved'] as const).map((o) => [o, `/api/discussions/${world.objects[o].apiThreadId}/events?from=1`] as [ObjectName, string]),
      ...polls.map((o) => [o, `/api/polls/${world.objects[o].pathId}`] as [ObjectName, string]),
      ['outcomeMeeting', `/api/polls/${world.objects.outcomeMeeting.pathId}`],
      ['invitationClosed', `/api/groups/${world.groups.closed.id}/invitations?limit=100`],
      ['importAdmin', '/api/imports'],
    ];
    for (const [name, path] of reads) {
      const reply = await call('GET', path, { cookie: world.people.admin.cookie });
      expect(reply.status, `${name} via ${path}`).toBe(200);
      expect(reply.text, `${name} via ${path}`).toContain(world.objects[name].marker!);
    }
    // Vote reasons, exports and attachments are there for those who may have them.
    expect((await call('GET', `/api/polls/${world.objects.pollPublic.pathId}/votes`, { cookie: world.people.admin.cookie })).text).toContain(world.objects.pollPublic.extra!.reason);
    const exported = await call('GET', `/api/exports/${world.objects.exportAdmin.pathId}`, { cookie: world.people.admin.cookie });
    expect(exported.json).toMatchObject({ status: 'ready', links: { archive: expect.any(String) } });
    expect(exported.text).toContain(`/${world.objects.exportAdmin.pathId}/`);
    expect((await call('GET', `/api/attachments/${world.objects.attachmentSecret.pathId}`, { cookie: world.people.admin.cookie })).status).toBe(302);
    // Every actor that is signed in really is, and the deactivated person's old cookie is not.
    for (const name of actorNames.filter((a) => world.actors[a].signedIn)) expect((await call('GET', '/api/me', { cookie: world.actors[name].cookie })).status, name).toBe(200);
    expect((await call('GET', '/api/me', { cookie: world.actors.deactivated.cookie })).status).toBe(401);
    // unknownAs is honest: someone else's upload key gets exactly what a made-up key gets.
    const outsider = world.people.outsider.cookie;
    const theirs = await call('POST', '/api/imports', { cookie: outsider, body: { uploadKey: world.objects.importUpload.extra!.uploadKey } });
    const madeUp = await call('POST', '/api/imports', { cookie: outsider, body: { uploadKey: `imports/${world.people.admin.userId}/${"A".repeat(22)}/archive.ndjson.gz` } });
    expect([theirs.status, theirs.text]).toEqual([madeUp.status, madeUp.text]);
    // Each actor's facts are what the fixture says they are.
    const closed = world.objects.closed;
    const roleIn = async (a: ActorName) => (await factsFor(world, world.actors[a], closed)).viewer.membership?.role ?? null;
    expect(await Promise.all((['admin', 'member', 'demoted', 'outsider', 'otherAdmin', 'subMember'] as const).map(roleIn))).toEqual(['admin', 'member', 'member', null, null, null]);
    expect((await factsFor(world, world.actors.subMember, world.objects.subOfSecret)).viewer.membership?.role).toBe('member');
    expect((await factsFor(world, world.actors.member, world.objects.threadMoved)).group?.id).toBe(world.groups.moveTarget.id);
  });

  it('holds a subgroup of a secret group secret: the permission functions hide it from everyone outside it (finding 3)', async () => {
    for (const name of ['outsider', 'signedOut', 'otherAdmin'] as const) {
      const f = await factsFor(world, world.actors[name], world.objects.subOfSecret);
      expect(canSeeGroup(f.group!, f.viewer), name).toBe(false);
    }
  });

  it('lets a deactivated person back in by signing in again, as an ordinary member (their old cookie stays dead)', async () => {
    const back = await signIn(world.people.deactivated.email);
    const group = await call('GET', `/api/groups/${world.groups.secret.id}`, { cookie: back.cookie });
    expect(group.status).toBe(200);
    expect(group.json.myMembership).toMatchObject({ role: 'member' });
    expect((await call('GET', '/api/me', { cookie: world.actors.deactivated.cookie })).status).toBe(401);
  });

  for (const phase of ['read', 'write', 'late', 'destructive', 'final', 'terminal'] as const) {
    it(`runs the ${phase} cells`, async () => {
      const t = Date.now();
      await runPhase(phase, 8);
      timings[phase] = Date.now() - t;
    }, 600_000);
  }

  it.each(Object.keys(matrix) as RouteKey[])('%s answers every actor on every object as the permission functions decide', (key) => {
    expect(cellsRun.get(key)?.allowed ?? 0, 'cells run').toBeGreaterThanOrEqual(0);
    expect(failures.get(key) ?? []).toEqual([]);
  });

  it('reports its size and time', () => {
    const cells = [...cellsRun.values()].reduce((n, c) => n + c.allowed + c.denied, 0);
    const neverAllowed = (Object.keys(matrix) as RouteKey[]).filter((k) => !cellsRun.get(k)?.allowed);
    console.log(`authorization matrix: routes with no allowed cell: ${neverAllowed.join(', ') || 'none'}`);
    const slowest = [...routeMs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, ms]) => `${k} ${ms} ms`);
    console.log(`authorization matrix: slowest routes (summed request time): ${slowest.join('; ')}`);
    console.log(`authorization matrix: ${cells} cells, ${Object.keys(matrix).length} routes, timings ms ${JSON.stringify({ ...timings, total: Date.now() - started, world: world.timings })}`);
    expect(cells).toBeGreaterThan(0);
  });
});
