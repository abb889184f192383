/**
 * The group archive (`POST /api/groups/{id}/exports`, read by `POST /api/imports`): see README.md in
 * this folder for every record type, their order, the companion CSV and HTML files, the version
 * rules and the compatibility promise.
 */
export const GROUP_FORMAT = 'moot-group-export';
export const GROUP_VERSION = 2;
/** Versions this Moot can import. */
export const GROUP_READABLE_VERSIONS: readonly number[] = [1, 2];

/** Within one group section, records come in this order (thread and poll records are followed by their own). */
export type GroupRecordType =
  | 'group' | 'member'
  | 'thread' | 'item' | 'version' | 'readState' | 'attachment' | 'fileChunk' | 'file'
  | 'poll' | 'invitee' | 'voter' | 'ballot' | 'outcome'
  | 'event'
  | 'manifest';

/** Raw bytes a `fileChunk` carries at most (base64 makes a line about 1 MB). */
export const FILE_CHUNK_BYTES = 768 * 1024;

/** The companion files written beside the archive, by name. CSV columns are listed with each. */
export const CSV_COLUMNS = {
  members: ['group_handle', 'user_id', 'name', 'email', 'role', 'title', 'joined_at', 'via', 'revoked_at'],
  threads: ['group_handle', 'thread_id', 'title', 'author_id', 'author_name', 'created_at', 'last_activity_at', 'private', 'closed_at', 'comment_count'],
  comments: ['group_handle', 'thread_id', 'seq', 'parent_seq', 'author_id', 'author_name', 'created_at', 'edited_at', 'deleted_at', 'body'],
  polls: ['group_handle', 'poll_id', 'thread_id', 'type', 'title', 'anonymous', 'options', 'created_at', 'closing_at', 'closed_at', 'voters'],
  votes: ['group_handle', 'poll_id', 'voter_id', 'voter_name', 'cast_at', 'choices', 'reason'],
  outcomes: ['group_handle', 'poll_id', 'author_id', 'author_name', 'created_at', 'statement', 'option_id', 'review_on'],
} as const;

export type CsvName = keyof typeof CSV_COLUMNS;

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface GroupManifest {
  type: 'manifest';
  /** Lines in the archive, the header and this manifest included. */
  records: number;
  /** SHA-256 (hex) of every byte before this line: the header and all records, newlines included. */
  recordsSha256: string;
  files: ManifestFile[];
  /** The CSV and HTML objects written beside the archive: `name` (e.g. `members.csv`), size and SHA-256 of their bytes. */
  companions: Array<{ name: string; size: number; sha256: string }>;
  /** Ed25519 by the deployment that wrote the archive, over this manifest without this field (README, "Signature, trust and placeholders"). */
  signature?: { alg: 'Ed25519'; deployment: string; keyId: string; value: string };
}
