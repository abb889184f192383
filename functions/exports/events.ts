/** Group archives leaving and arriving, in past tense. Exports land in the group's stream; an import request in the importer's. */
export type ExportEvent =
  | { kind: 'GroupExportRequested'; groupId: string; exportId: string }
  | { kind: 'GroupImportRequested'; userId: string; importId: string }
  | { kind: 'GroupImported'; groupId: string; importId: string; sourceGroupId: string };
