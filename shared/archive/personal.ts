/**
 * The personal archive (`POST /api/me/exports`): see README.md in this folder for every record
 * type, the version rules and the compatibility promise.
 */
export const PERSONAL_FORMAT = 'moot-personal-export';
export const PERSONAL_VERSION = 1;

export type PersonalRecordType =
  | 'profile' | 'membership' | 'session' | 'accountEvent' | 'emailPreferences'
  | 'thread' | 'comment' | 'poll' | 'vote' | 'outcome'
  | 'fileChunk' | 'file' | 'manifest';
