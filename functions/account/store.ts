import type { Key } from '../lib/db.ts';

/** What shared history shows in place of a deleted person's name. */
export const DELETED_NAME = 'Deleted account';

/** Account items that live outside the person's own partition (which deletion removes whole). */
export const accountKeys = {
  /**
   * The durable record that an account is being erased. It sits in the scheduler's sparse index,
   * due a few minutes after the request, so an erase that was interrupted is run again; the
   * worker removes it as its very last write.
   */
  erasure: (userId: string): Key => ({ pk: `erasure#${userId}`, sk: 'job' }),
  /** A personal export, in the person's partition (deletion removes it with everything else). */
  personalExport: (userId: string, exportId: string): Key => ({ pk: `user#${userId}`, sk: `export#${exportId}` }),
  /** Only when the deployment blocks re-invitation of deleted addresses: the address's hash, nothing else. */
  blockedEmail: (emailHash: string): Key => ({ pk: `blocked#${emailHash}`, sk: 'blocked' }),
};

export interface ErasureItem extends Key {
  type: 'erasure';
  userId: string;
  emailHash: string;
  requestedAt: string;
  gsi2pk: 'due';
  gsi2sk: string;
  dueKind: 'eraseAccount';
  /** When the first pass (from the event) finished; the scheduler's final pass removes the record. */
  firstPassAt?: string;
}

export interface PersonalExportItem extends Key {
  type: 'personalExport';
  exportId: string;
  userId: string;
  status: 'pending' | 'ready' | 'failed';
  requestedAt: string;
  objectKey?: string;
  bytes?: number;
  records?: number;
  finishedAt?: string;
}

/** Deployments may keep a hash of a deleted address to stop re-invitation spam; off by default. */
export const blockReinvites = () => process.env.BLOCK_DELETED_REINVITES === '1';
