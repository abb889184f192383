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
  return {
    body: {
      groups: groups
        .map((m) => ({ id: m.groupId, handle: m.groupHandle, name: m.groupName, privacy: m.groupPrivacy, parentId: m.parentId, role: m.role, title: m.title }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    },
  };
}
