import { queryPage } from '../lib/db.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import type { MembershipItem } from './store.ts';

/**
 * GET /api/groups: the person's active memberships, each carrying its group's name and handle,
 * from one Query on gsi1 (revoked memberships drop out of the index).
 */
export async function listMyGroups(request: ApiRequest<'GET /api/groups'>): Promise<ApiReply> {
  const groups = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryPage<MembershipItem>({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': `memberof#${request.actor.id}` },
      ExclusiveStartKey: start,
    });
    groups.push(...page.items);
    start = page.lastKey;
  } while (start);
  // A parent is named only to its own members: a subgroup-only member of a secret group's subgroup
  // may not learn that the parent exists (the home page nests a subgroup only under a group listed too).
  const mine = new Set(groups.map((m) => m.groupId));
  return {
    body: {
      groups: groups
        .map((m) => ({
          id: m.groupId, handle: m.groupHandle, name: m.groupName, privacy: m.groupPrivacy,
          parentId: m.parentId && mine.has(m.parentId) ? m.parentId : null, role: m.role, title: m.title,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
  };
}
