import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { get } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys, loadGroup, type RequestItem } from './store.ts';
import { groupView } from './views.ts';

/**
 * GET /api/groups/{id} (an id or a handle). By id: one BatchGet (group + the actor's membership) after the
 * session read, and for a subgroup one more for its parent. A group the actor may not see is a 404 whether
 * asked by id or by handle, so a handle says nothing about a secret group.
 */
export async function getGroup(request: ApiRequest<'GET /api/groups/{id}'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  const { group, viewer, membership } = context;
  // Only non-members may have a pending request.
  const pending = request.actor && !membership && group.membershipGranting === 'approval' ? await get<RequestItem>(groupKeys.request(group.groupId, request.actor.id)) : null;
  return { body: groupView(group, viewer, { membership, parent: context.parent, request: pending, facts: context.facts }) };
}
