import type { Deliveries } from '../workers/stream-handler.ts';
import { buildGroupExport } from './group-export.ts';
import { importFromEvent } from './group-import.ts';

export const exportDeliveries: Deliveries = {
  GroupExportRequested: [buildGroupExport],
  GroupImportRequested: [importFromEvent],
};
