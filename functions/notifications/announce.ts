import { canAnnounce } from '../../shared/permissions/announcements.ts';
import { canSeeDiscussion } from '../../shared/permissions/discussions.ts';
import { canSeeGroup, type GroupFacts, type Viewer } from '../../shared/permissions/groups.ts';
import { canSeePoll } from '../../shared/permissions/polls.ts';
import type { Announce } from '../../shared/schemas/notifications.ts';
import { get, transact } from '../lib/db.ts';
import { forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import { announcementLimit, announcementsSpent } from './announcement-allowance.ts';
import type { Actor } from '../lib/session.ts';
import { groupKeys, isActive, loadGroup, type GroupItem, type MembershipItem } from '../groups/store.ts';
import { loadThread, parseThreadId, threadFacts } from '../discussions/store.ts';
import { loadPoll, pollKeys, type OutcomeItem } from '../polls/store.ts';
import { batchRead, keyOf } from './spec.ts';

interface Subject {
  group: GroupItem;
  facts: GroupFacts;
  viewer: Viewer;
  /** The id inside the group: a thread's or a poll's. */
  id: string;
  authorId: string;
}

/** The thread, poll or outcome, if the actor may see it; anything else is a 404. */
async function loadSubject(subject: Announce['subject'], actor: Actor): Promise<Subject> {
  if (subject.type === 'discussion') {
    const { groupId, threadId } = parseThreadId(subject.id);
    const context = await loadThread(groupId, threadId, actor);
    if (!canSeeDiscussion(context.facts, context.viewer, threadFacts(context.thread))) throw notFound('No such discussion.');
    return { group: context.group, facts: context.facts, viewer: context.viewer, id: threadId, authorId: context.thread.authorId };
  }
  const context = await loadPoll(subject.id, actor);
  const { item } = context;
  let visible = canSeePoll(context.facts, context.viewer, null);
  if (!visible && item.threadId) {
    const thread = await loadThread(item.groupId, item.threadId, actor);
    visible = canSeeDiscussion(thread.facts, thread.viewer, threadFacts(thread.thread));
  }
  if (!visible) throw notFound('No such poll.');
  let authorId = item.authorId;
  if (subject.type === 'outcome') {
    const outcome = await get<OutcomeItem>(pollKeys.outcome(item.pollId));
    if (!outcome) throw notFound('This poll has no outcome yet.');
    authorId = outcome.authorId;
  }
  return { group: context.group, facts: context.facts, viewer: context.viewer, id: item.pollId, authorId };
}

/** What is wrong with the audience, by field: it must name people of this group the actor can see. */
async function audienceProblems(audience: Announce['audience'], subject: Announce['subject'], group: GroupItem, actor: Actor): Promise<Record<string, string>> {
  if (subject.type === 'discussion' && ['voters', 'undecided', 'non_voters'].includes(audience.kind)) {
    return { 'audience.kind': 'Only a poll or its outcome can go to its voters; choose group, subgroup or members.' };
  }
  if (audience.kind === 'subgroup') {
    if (!audience.subgroupId) return { 'audience.subgroupId': 'Choose a subgroup.' };
    const listed = group.subgroups?.some((s) => s.id === audience.subgroupId);
    const seen = listed && canSeeGroup(...(await loadGroup(audience.subgroupId, actor).then((c) => [c.facts, c.viewer] as const)));
    if (!seen) return { 'audience.subgroupId': 'No such subgroup of this group.' };
  }
  if (audience.kind === 'members') {
    if (!audience.userIds?.length) return { 'audience.userIds': 'Choose at least one member.' };
    const found = await batchRead<MembershipItem>(audience.userIds.map((id) => groupKeys.membership(group.groupId, id)));
    const stranger = audience.userIds.findIndex((id) => !isActive(found.get(keyOf(groupKeys.membership(group.groupId, id))) ?? null));
    if (stranger >= 0) return { [`audience.userIds.${stranger}`]: 'Not a member of this group.' };
  }
  return {};
}

export { announcementLimit } from './announcement-allowance.ts';

/**
 * POST /api/announcements: the author of a thread, poll or outcome (or an admin) asks that an
 * audience be told about it. Recorded as `Announced`; the fan-out emails and notifies each person
 * in it once (`kinds-announce.ts`).
 */
export async function announce(request: ApiRequest<'POST /api/announcements'>): Promise<ApiReply> {
  const actor = request.actor;
  const { subject: ref, audience } = request.body;
  const subject = await loadSubject(ref, actor);
  if (!canAnnounce(subject.facts, subject.viewer, { authorId: subject.authorId })) {
    throw forbidden(subject.facts.flags.membersCanAnnounce ? 'Only its author and admins can announce this.' : 'Only admins can announce in this group.');
  }
  const problems = await audienceProblems(audience, ref, subject.group, actor);
  if (Object.keys(problems).length) throw invalid(problems);
  const allowance = rateLimitCheck(announcementLimit, actor.id);
  const codes = await transact([
    allowance.op,
    recordEvent({ kind: 'Announced', groupId: subject.group.groupId, subject: { type: ref.type, id: subject.id }, audience }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw announcementsSpent(allowance.retryAfter);
  if (codes) throw new Error('Announcement was not recorded.');
  return { status: 202, body: { message: 'Announcement on its way.' } };
}
