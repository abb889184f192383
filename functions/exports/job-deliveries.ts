import type { Deliveries } from '../workers/stream-reader.ts';
import { buildGroupExport } from './group-export.ts';
import { importFromEvent } from './group-import.ts';

/** Run by the jobs worker: a whole-group archive or import can take minutes. */
export const exportJobs: Deliveries = {
  GroupExportRequested: [buildGroupExport],
  GroupImportRequested: [importFromEvent],
};
