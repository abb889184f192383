import type { Role } from '../../shared/schemas/groups.ts';
import { check, patch, put } from '../lib/db.ts';
import { groupKeys, type GroupItem, type MembershipItem } from './store.ts';

/**
 * The writes that make someone a member, for one transaction: the membership (new, or a revoked
 * one made active again; never a second active one) and the group's member count, guarded so an
 * archived group takes no one. Counting happens only when the membership write succeeds.
 */
export function joinOps(
  group: GroupItem,
  person: { userId: string; name: string | null; email: string },
  via: MembershipItem['via'],
  role: Role = 'member',
) {
  const membership: MembershipItem = {
    ...groupKeys.membership(group.groupId, person.userId),
    ...groupKeys.memberOf(person.userId, group.groupId),
    type: 'membership',
    groupId: group.groupId,
    userId: person.userId,
    role,
    title: null,
    name: person.name,
    email: person.email,
    joinedAt: new Date().toISOString(),
    via,
    groupName: group.name,
    groupHandle: group.handle,
    groupPrivacy: group.privacy,
    parentId: group.parentId,
  };
  return {
    membership,
    membershipOp: put({ ...membership }, { if: 'attribute_not_exists(pk) OR attribute_exists(#revokedAt)' }),
    countOp: patch(groupKeys.group(group.groupId), { add: { memberCount: 1, ...(role === 'admin' ? { adminCount: 1 } : {}) } }, { if: 'attribute_not_exists(#archivedAt)' }),
  };
}

/** A condition that the actor still holds a role when the transaction runs, not only when read. */
export const stillAdmin = (groupId: string, userId: string) =>
  check(groupKeys.membership(groupId, userId), { if: '#role = :admin AND attribute_not_exists(#revokedAt)', values: { ':admin': 'admin' } });

export const stillMember = (groupId: string, userId: string) =>
  check(groupKeys.membership(groupId, userId), { if: 'attribute_exists(pk) AND attribute_not_exists(#revokedAt)' });
