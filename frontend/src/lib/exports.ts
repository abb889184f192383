import type * as z from 'zod/mini';
import type { exportRoutes } from '../../../shared/api/routes/exports.ts';
import type { GroupRecordType } from '../../../shared/archive/group.ts';
import { call } from './api.ts';
import { brand } from './brand.ts';
import type { Page } from './groups.ts';

// Whole-group exports and imports as the browser sees them. Imported only by the export and
// import routes, so no other page loads it.

type Answer<K extends keyof typeof exportRoutes> = (typeof exportRoutes)[K] extends { response: infer R extends z.ZodMiniType } ? z.infer<R> : never;

export type GroupExport = Answer<'GET /api/exports/{id}'>;
type ImportUpload = Answer<'POST /api/imports/uploads'>;

/** What an import found and did (the API's `report`, which the route table leaves open). */
export interface ImportReport {
  /** Why the archive was refused; nothing was written. */
  problems?: string[];
  /** The new groups, the top group first. */
  groups?: Array<{ sourceId: string; id: string; handle: string; name: string }>;
  people?: {
    matched: number; created: number; withoutEmail: number;
    placeholders?: number; invited?: number; notInvited?: number; claimedByImporter?: boolean;
  };
  /** Whether people kept their accounts (a verified signature from a trusted Moot) or came as placeholders, and why. */
  identity?: { mode: 'kept' | 'placeholders'; reason: string; deployment?: string };
  /** Records read, by type. */
  counts?: Record<string, number>;
  /** Stored counts the archive had wrong; the recomputed value was kept. */
  recomputed?: Array<{ what: string; archive: number; recomputed: number }>;
}

export type GroupImport = Omit<Answer<'GET /api/imports/{id}'>, 'report'> & { report: ImportReport | null };

/** The states an import ends in; until then it is being checked or written. */
export const importEnded = (job: GroupImport) => job.status === 'done' || job.status === 'rejected' || job.status === 'failed';

const path = encodeURIComponent;

export const exportsApi = {
  exportGroup: (groupId: string) => call<{ id: string; status: 'pending' }>('POST', `/groups/${path(groupId)}/exports`),
  groupExports: (groupId: string) => call<{ items: GroupExport[] }>('GET', `/groups/${path(groupId)}/exports`),
  requestUpload: (size: number) => call<ImportUpload>('POST', '/imports/uploads', { size }),
  startImport: (uploadKey: string) => call<{ id: string; status: 'pending' }>('POST', '/imports', { uploadKey }),
  imports: (cursor?: string | null) => call<Page<GroupImport>>('GET', `/imports${cursor ? `?cursor=${path(cursor)}` : ''}`),
  import: (id: string) => call<GroupImport>('GET', `/imports/${path(id)}`),
};

/** The files of a ready export, in the order people look for them, with plain names. */
export const exportFiles: Array<{ name: string; label: string }> = [
  { name: 'archive', label: 'Archive for import (.ndjson.gz)' },
  { name: 'html', label: 'Readable archive (HTML)' },
  { name: 'members.csv', label: 'Members (CSV)' },
  { name: 'threads.csv', label: 'Threads (CSV)' },
  { name: 'comments.csv', label: 'Comments (CSV)' },
  { name: 'polls.csv', label: 'Polls (CSV)' },
  { name: 'votes.csv', label: 'Votes (CSV)' },
  { name: 'outcomes.csv', label: 'Outcomes (CSV)' },
];

/** Records in an archive, by the `type` each line carries, as a person would name them. */
export const recordLabels: Record<Exclude<GroupRecordType, 'manifest'>, string> = {
  group: 'Groups',
  member: 'Members',
  thread: 'Threads',
  item: 'Comments and other thread items',
  version: 'Earlier versions of edited text',
  readState: 'Read markers',
  attachment: 'Attachments',
  file: 'Attached files',
  fileChunk: 'Pieces of attached files',
  poll: 'Polls',
  invitee: 'Poll invitees',
  voter: 'Voters',
  ballot: 'Votes',
  outcome: 'Outcomes',
  event: 'Audit trail events',
};

/**
 * Runs `check` every `ms` until it answers true or the returned stop is called (when the page is
 * left). A check starts only after the last one ended, so a slow answer never piles up requests.
 */
export function pollUntil(check: () => Promise<boolean>, ms = 2000): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const next = () => {
    timer = setTimeout(async () => {
      if (stopped) return;
      const done = await check();
      if (!done && !stopped) next();
    }, ms);
  };
  next();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Why an import's people came as placeholders, in words: the report's `identity.reason`. */
export function placeholderWhy(reason: string): string {
  if (reason === 'unsigned') return 'the archive is not signed';
  if (reason === 'signature does not match the contents') return 'the archive was changed after it was signed';
  const untrusted = /^untrusted deployment (.+)$/.exec(reason);
  if (untrusted) return `the archive was signed by ${untrusted[1]}, a ${brand.name} this one does not trust`;
  return reason;
}
