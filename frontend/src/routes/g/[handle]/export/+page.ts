import { canExportGroup } from '../../../../../../shared/permissions/exports.ts';
import { requireGroupRule } from '#lib/groups.ts';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ parent }) => {
  await requireGroupRule(parent, canExportGroup);
};
