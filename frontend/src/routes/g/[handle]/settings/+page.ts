import { canEditGroup } from '../../../../../../shared/permissions/groups.ts';
import { groupsApi, requireGroupRule } from '#lib/groups.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent, fetch }) => {
  const { group } = await requireGroupRule(parent, canEditGroup);
  // A subgroup's privacy is bounded by its parent's, so the form needs the parent's too.
  const parentGroup = group.parent ? await groupsApi.get(group.parent.id, fetch) : null;
  return { parentPrivacy: parentGroup?.ok ? parentGroup.data.privacy : undefined };
};
