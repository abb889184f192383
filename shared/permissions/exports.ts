import { isAdmin, type GroupFacts, type Viewer } from './groups.ts';

/** The audit trail and whole-group exports (which carry members' emails) are for the group's admins. */
export const canSeeAudit = (group: GroupFacts, viewer: Viewer) => isAdmin(viewer) && !group.archived;
export const canExportGroup = canSeeAudit;
