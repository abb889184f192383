import { canSeeMembers } from '../../shared/permissions/groups.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { queryPage } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadGroup, type MembershipItem } from './store.ts';
import { membershipView } from './views.ts';

export const PAGE_SIZE = 50;

/** GET /api/groups/{id}/memberships: one Query per page, names for everyone, emails per `canSeeEmailOf`. */
export async function listMemberships(request: ApiRequest<'GET /api/groups/{id}/memberships'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeMembers(context.facts, context.viewer)) throw notFound('No such group.');
  const scope = `members:${context.group.groupId}`;
  const page = await queryPage<MembershipItem>({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
    FilterExpression: 'attribute_not_exists(revokedAt)',
    ExpressionAttributeValues: { ':pk': `group#${context.group.groupId}`, ':member': 'member#' },
    ExclusiveStartKey: await decodeCursor(scope, request.query.cursor),
    Limit: request.query.limit ?? PAGE_SIZE,
  });
  return {
    body: {
      items: page.items.map((m) => membershipView(m, context.viewer)),
      cursor: await encodeCursor(scope, page.lastKey),
    },
  };
}
