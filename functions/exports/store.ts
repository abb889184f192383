import type { Key } from '../lib/db.ts';

/**
 * Export and import jobs: each its own item, found by its id alone (the status routes take only
 * the id), and listed through gsi1: one person's exports of one group, one person's imports.
 */
export const jobKeys = {
  groupExport: (exportId: string): Key => ({ pk: `groupexport#${exportId}`, sk: 'job' }),
  groupImport: (importId: string): Key => ({ pk: `groupimport#${importId}`, sk: 'job' }),
};

export const jobIndex = {
  groupExports: (groupId: string, userId: string, requestedAt: string, exportId: string) => ({ gsi1pk: `groupexports#${groupId}#${userId}`, gsi1sk: `${requestedAt}#${exportId}` }),
  imports: (userId: string, requestedAt: string, importId: string) => ({ gsi1pk: `imports#${userId}`, gsi1sk: `${requestedAt}#${importId}` }),
};

export interface GroupExportItem extends Key {
  gsi1pk: string;
  gsi1sk: string;
  type: 'groupExport';
  exportId: string;
  groupId: string;
  requestedBy: string;
  /** `failed` after the last of `MAX_JOB_ATTEMPTS` attempts failed. */
  status: 'pending' | 'ready' | 'failed';
  attempts?: number;
  requestedAt: string;
  /** Object keys in the exports bucket, by name: `archive`, `html`, and one per CSV (`members.csv`...). */
  objects?: Record<string, string>;
  records?: number;
  bytes?: number;
  finishedAt?: string;
  /** The bucket's lifecycle rule deletes the objects after 7 days; so does this item's TTL. */
  expiresAt: number;
}

export interface ImportReport {
  /** Why the archive was refused; nothing was written when this is set. */
  problems?: string[];
  groups?: Array<{ sourceId: string; id: string; handle: string; name: string }>;
  /**
   * How people were imported, and why: `kept` (matched by email, or created) only for an archive whose
   * signature verifies against a trusted deployment; otherwise `placeholders` (see placeholders.ts).
   */
  identity?: { mode: 'kept' | 'placeholders'; reason: string; deployment?: string };
  people?: {
    matched: number; created: number; withoutEmail: number;
    /** People imported as unclaimed placeholders; those with an address were invited (`invited`), or not, past the importer's daily allowance (`notInvited`). */
    placeholders?: number; invited?: number; notInvited?: number; claimedByImporter?: boolean;
  };
  counts?: Record<string, number>;
  /** Stored counts that differed from what the records add up to (the recomputed value is kept). */
  recomputed?: Array<{ what: string; archive: number; recomputed: number }>;
  /** Old id → new id for groups, threads, polls, attachments and people (left out above 2,000 ids). */
  ids?: Record<string, string>;
}

export interface GroupImportItem extends Key {
  gsi1pk: string;
  gsi1sk: string;
  type: 'groupImport';
  importId: string;
  userId: string;
  uploadKey: string;
  /**
   * pending → (staged items written) → published (the handles exist: the group is reachable) → done.
   * `rejected` when the archive failed its checks, before anything was written; `failed` after the
   * last of `MAX_JOB_ATTEMPTS` attempts failed (what it staged stays unreachable).
   */
  status: 'pending' | 'published' | 'done' | 'rejected' | 'failed';
  attempts?: number;
  requestedAt: string;
  finishedAt?: string;
  report?: ImportReport;
}
