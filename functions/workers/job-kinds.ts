import type { EventKind } from '../lib/events.ts';

/**
 * The event kinds the jobs worker takes (and the stream worker leaves alone): work that can take
 * minutes. Infra filters the jobs worker's stream events by this list; a unit test checks it
 * matches the jobs worker's deliveries.
 */
export const JOB_KINDS = ['GroupExportRequested', 'GroupImportRequested', 'AccountDeletionRequested', 'PersonalExportRequested'] as const satisfies readonly EventKind[];
