import { isAdmin, type GroupFacts, type Viewer } from './groups.ts';

/** The audit trail and whole-group exports (which carry members' emails) are for the group's admins. */
export const canSeeAudit = (group: GroupFacts, viewer: Viewer) => isAdmin(viewer) && !group.archived;
export const canExportGroup = canSeeAudit;

/**
 * An export, its status and its download links: for the admin who asked, and only while they are an
 * admin of the live group now. Demoted, removed or departed, they read it no more (404).
 */
export const canReadExport = (group: GroupFacts, viewer: Viewer, job: { requestedBy: string }) =>
  viewer.userId === job.requestedBy && canExportGroup(group, viewer);

/**
 * An import and its report: for the person who imported, whoever else becomes an admin of the new
 * group. Which of the new groups the report names is decided per group by `canSeeGroup`.
 */
export const canReadImportReport = (actorId: string | null, job: { userId: string }) => actorId !== null && actorId === job.userId;
