import { canEditGroup, canSeeGroup, defaultsFor, settingsProblems, subgroupHandlePrefix } from '../../shared/permissions/groups.ts';
import { create, failed, get, patch, remove, transact } from '../lib/db.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { handleTaken } from './create-group.ts';
import { stillAdmin } from './membership-ops.ts';
import { groupKeys, loadGroup, type GroupItem, type HandleItem } from './store.ts';
import { groupView } from './views.ts';

/**
 * PATCH /api/groups/{id}. A new handle swaps the handle items in the same transaction. Making a
 * group secret makes its discussions private and its subgroups secret (a subgroup of a secret group
 * is secret; those that were not stay visible to the parent's members, as they were). Copies of the
 * name, handle and privacy on memberships are refreshed by the stream worker from the GroupUpdated events.
 */
export async function updateGroup(request: ApiRequest<'PATCH /api/groups/{id}'>): Promise<ApiReply> {
  const actor = request.actor;
  const context = await loadGroup(request.params.id!, actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canEditGroup(context.facts, context.viewer)) throw forbidden('Only the group\u2019s admins can change its settings.');
  const { group } = context;
  const input = request.body;

  const privacy = input.privacy ?? group.privacy;
  const becomingSecret = privacy === 'secret' && group.privacy !== 'secret';
  const settings = {
    privacy,
    discussionPrivacy: input.discussionPrivacy ?? (becomingSecret || (input.privacy && !input.discussionPrivacy) ? defaultDiscussion(privacy, group) : group.discussionPrivacy),
    membershipGranting: input.membershipGranting ?? (becomingSecret ? 'invitation' : group.membershipGranting),
  };
  // The parent as read by loadGroup (to an admin of a subgroup the parent may be secret, so not in context.parent).
  const parent = group.parentId ? await get<GroupItem>(groupKeys.group(group.parentId)) : null;
  const problems = settingsProblems(settings, parent?.privacy);
  if (Object.keys(problems).length) throw invalid(problems);

  let handle = input.handle ?? group.handle;
  const prefix = parent && handle !== group.handle ? subgroupHandlePrefix(parent) : null;
  if (prefix && !handle.startsWith(prefix)) throw invalid({ handle: `A subgroup's handle starts with "${prefix}".` });
  const next: GroupItem = {
    ...group,
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...settings,
    handle,
    flags: { ...group.flags, ...stripUndefined(input.flags ?? {}) },
    parentMembersCanSeeDiscussions: input.parentMembersCanSeeDiscussions ?? group.parentMembersCanSeeDiscussions,
    isVisibleToParentMembers: input.isVisibleToParentMembers ?? group.isVisibleToParentMembers,
    subgroups: becomingSecret ? group.subgroups.map((s) => (s.privacy === 'secret' ? s : { ...s, privacy: 'secret' as const, isVisibleToParentMembers: true })) : group.subgroups,
    updatedAt: new Date().toISOString(),
  };
  const changed = (['name', 'description', 'handle', 'privacy', 'discussionPrivacy', 'membershipGranting', 'flags', 'parentMembersCanSeeDiscussions', 'isVisibleToParentMembers'] as const).filter(
    (k) => JSON.stringify(next[k]) !== JSON.stringify(group[k]),
  );
  if (!changed.length) return { body: groupView(group, context.viewer, { membership: context.membership, parent: context.parent, facts: context.facts }) };

  const handleChanged = handle !== group.handle;
  const { pk: _pk, sk: _sk, type: _type, groupId: _id, ...fields } = next;
  const ops = [
    // Written only if nobody changed the group since it was read, so no update is lost.
    patch(groupKeys.group(group.groupId), { set: fields }, { if: '#updatedAt = :seen AND attribute_not_exists(#archivedAt)', values: { ':seen': group.updatedAt } }),
    stillAdmin(group.groupId, actor.id),
    recordEvent({ kind: 'GroupUpdated', groupId: group.groupId, changed: [...changed] }, { actorId: actor.id, ip: request.ip }),
    ...(handleChanged
      ? [create({ ...groupKeys.handle(handle), type: 'handle', groupId: group.groupId } satisfies HandleItem), remove(groupKeys.handle(group.handle), { if: '#groupId = :g', values: { ':g': group.groupId } })]
      : []),
    ...(becomingSecret
      ? group.subgroups
          .filter((s) => s.privacy !== 'secret')
          .flatMap((s) => [
            // A new updatedAt makes an edit of the subgroup that read it before this a conflict, not a lost update.
            patch(groupKeys.group(s.id), { set: { ...defaultsFor('secret'), isVisibleToParentMembers: true, updatedAt: next.updatedAt } }),
            recordEvent({ kind: 'GroupUpdated', groupId: s.id, changed: ['privacy', 'discussionPrivacy', 'membershipGranting', 'isVisibleToParentMembers'] }, { actorId: actor.id, ip: request.ip }),
          ])
      : []),
    // A subgroup's summary on its parent follows its name, handle and privacy.
    ...(parent && (changed.includes('name') || changed.includes('handle') || changed.includes('privacy') || changed.includes('isVisibleToParentMembers'))
      ? [
          patch(groupKeys.group(parent.groupId), {
            set: {
              subgroups: parent.subgroups.map((s) =>
                s.id === group.groupId ? { id: s.id, handle, name: next.name, privacy: next.privacy, isVisibleToParentMembers: next.isVisibleToParentMembers } : s,
              ),
            },
          }, { if: '#updatedAt = :seen', values: { ':seen': parent.updatedAt } }),
        ]
      : []),
  ];
  const codes = await transact(ops);
  if (codes) {
    if (handleChanged && failed(codes, 3)) throw handleTaken(handle);
    if (failed(codes, 1)) throw forbidden('Only the group\u2019s admins can change its settings.');
    throw new AppError(409, 'conflict', 'Someone else changed this group at the same moment. Reload and try again.');
  }
  return { body: groupView(next, context.viewer, { membership: context.membership, parent: context.parent }) };
}

function defaultDiscussion(privacy: GroupItem['privacy'], group: GroupItem) {
  if (privacy === 'open') return 'public_only' as const;
  if (privacy === 'secret') return 'private_only' as const;
  return group.discussionPrivacy === 'public_only' ? ('public_or_private' as const) : group.discussionPrivacy;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
