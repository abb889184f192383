import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { get } from '../lib/db.ts';
import { notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { groupKeys, loadGroup, type GroupItem, type RequestItem } from './store.ts';
import { groupView } from './views.ts';

/** GET /api/groups/{id} (an id or a handle). By id: one BatchGet (group + the actor's membership) after the session read. */
export async function getGroup(request: ApiRequest<'GET /api/groups/{id}'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  const { group, viewer, membership } = context;
  // Only subgroups need the parent's name, and only non-members may have a pending request.
  const [parent, pending] = await Promise.all([
    group.parentId ? get<GroupItem>(groupKeys.group(group.parentId)) : null,
    request.actor && !membership && group.membershipGranting === 'approval' ? get<RequestItem>(groupKeys.request(group.groupId, request.actor.id)) : null,
  ]);
  return { body: groupView(group, viewer, { membership, parent, request: pending }) };
}
