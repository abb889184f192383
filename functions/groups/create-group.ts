import { randomBytes } from 'node:crypto';
import { canCreateSubgroup, canSeeGroup, defaultSubgroupPrivacy, defaultsFor, settingsProblems, subgroupHandlePrefix } from '../../shared/permissions/groups.ts';
import { flagDefaults } from '../../shared/schemas/groups.ts';
import { newId } from '../lib/crypto.ts';
import { create, failed, get, patch, transact } from '../lib/db.ts';
import { keys, type UserItem } from '../lib/entities.ts';
import { AppError, forbidden, invalid, notFound } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { joinOps } from './membership-ops.ts';
import { groupKeys, loadGroup, type GroupItem, type HandleItem } from './store.ts';
import { groupView } from './views.ts';

/** A handle from a name: lower case, ASCII letters and digits, single dashes. */
export function suggestHandle(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return base.length >= 2 ? base : `group-${base || 'new'}`;
}

export const handleTaken = (handle: string) =>
  new AppError(409, 'handle_taken', `The handle "${handle}" is taken. Choose another.`, { fields: { handle: 'This handle is taken.' } });

/** POST /api/groups: the group, its handle, and the creator's admin membership in one transaction. */
export async function createGroup(request: ApiRequest<'POST /api/groups'>): Promise<ApiReply> {
  const actor = request.actor;
  const input = request.body;
  const parent = input.parentId ? await loadGroup(input.parentId, actor) : null;
  if (parent && !canSeeGroup(parent.facts, parent.viewer)) throw notFound('No such group.');
  if (parent && !canCreateSubgroup(parent.facts, parent.viewer)) throw forbidden('You cannot create a subgroup here.');

  const privacy = input.privacy ?? (parent ? defaultSubgroupPrivacy(parent.group.privacy) : 'closed');
  const settings = { ...defaultsFor(privacy), ...pick(input, ['discussionPrivacy', 'membershipGranting']) };
  const problems = settingsProblems(settings, parent?.group.privacy);
  if (Object.keys(problems).length) throw invalid(problems);

  let handle = input.handle ?? suggestHandle(input.name);
  const prefix = parent ? subgroupHandlePrefix(parent.group) : null;
  if (prefix) {
    if (input.handle && !input.handle.startsWith(prefix)) throw invalid({ handle: `A subgroup's handle starts with "${prefix}".` });
    if (!handle.startsWith(prefix)) handle = `${prefix}${handle}`.slice(0, 100);
  } else if (parent && !input.handle) {
    // Under a secret parent the handle carries no prefix; a short random tail keeps it from being guessed from the name.
    handle = `${handle.slice(0, 90)}-${randomBytes(3).toString('hex')}`;
  }

  const user = await get<UserItem>(keys.user(actor.id));
  const now = new Date().toISOString();
  const groupId = newId();
  const group: GroupItem = {
    ...groupKeys.group(groupId),
    type: 'group',
    groupId,
    handle,
    name: input.name,
    description: input.description ?? '',
    parentId: parent?.group.groupId ?? null,
    ...settings,
    flags: { ...flagDefaults, ...input.flags } as GroupItem['flags'],
    parentMembersCanSeeDiscussions: input.parentMembersCanSeeDiscussions ?? false,
    isVisibleToParentMembers: input.isVisibleToParentMembers ?? privacy !== 'secret',
    memberCount: 1,
    adminCount: 1,
    subgroups: [],
    createdAt: now,
    createdBy: actor.id,
    updatedAt: now,
  };
  const meta = { actorId: actor.id, ip: request.ip };
  // The group is created with its first admin already counted: one transaction may touch an item once.
  const { membership, membershipOp } = joinOps(group, { userId: actor.id, name: user?.name ?? actor.name, email: actor.email }, 'creator', 'admin');
  const ops = [
    create({ ...group }),
    create({ ...groupKeys.handle(handle), type: 'handle', groupId } satisfies HandleItem),
    membershipOp,
    recordEvent({ kind: 'GroupCreated', groupId, parentId: group.parentId }, meta),
    recordEvent({ kind: 'MembershipCreated', groupId, userId: actor.id, via: 'creator' }, meta),
    ...(parent
      ? [
          patch(
            groupKeys.group(parent.group.groupId),
            { set: { subgroups: [...parent.group.subgroups, { id: groupId, handle, name: group.name, privacy, isVisibleToParentMembers: group.isVisibleToParentMembers }] } },
            // The list is rewritten whole, so it must not have changed since it was read.
            { if: 'attribute_not_exists(#archivedAt) AND size(#subgroups) = :n', values: { ':n': parent.group.subgroups.length } },
          ),
        ]
      : []),
  ];
  const codes = await transact(ops);
  if (codes) {
    if (failed(codes, 1)) throw handleTaken(handle);
    if (parent && failed(codes, ops.length - 1)) throw new AppError(409, 'conflict', 'The parent group changed at the same moment. Please try again.');
    throw new Error(`Group was not created: ${codes.join(',')}`);
  }
  return {
    status: 201,
    body: groupView(group, { userId: actor.id, membership: { role: 'admin' }, parentMembership: parent?.viewer.membership ?? null }, { membership, parent: parent?.group ?? null }),
  };
}

function pick<T extends object, K extends keyof T>(value: T, names: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const name of names) if (value[name] !== undefined) out[name] = value[name];
  return out;
}
