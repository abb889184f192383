import { ATTACHMENT_TYPES } from '../../../shared/attachments.ts';
import type { DiscussionFacts } from '../../../shared/permissions/discussions.ts';
import type { ReactionName } from '../../../shared/schemas/discussions.ts';
import type { Volume } from '../../../shared/schemas/notifications.ts';
import { call } from './api.ts';
import { postToStorage } from './storage.ts';

// The threads capability as the browser sees it. Imported only by group and thread routes.

export interface Person {
  id: string;
  name: string | null;
  /** A name from an imported archive that no account here has claimed yet. */
  imported?: true;
}

export interface Reaction {
  emoji: ReactionName;
  symbol: string;
  count: number;
  people: string[];
  mine: boolean;
}

export interface Attachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  url: string;
  image: boolean;
}

export interface ThreadSummary {
  id: string;
  title: string;
  private: boolean;
  pinned: boolean;
  closed: boolean;
  author: Person;
  createdAt: string;
  lastActivityAt: string;
  commentCount: number;
  lastSeq: number;
  unreadCount: number | null;
}

export interface ReadState {
  ranges: Array<[number, number]>;
  unreadCount: number;
  firstUnread: number | null;
}

export interface Discussion {
  id: string;
  group: { id: string; handle: string; name: string };
  title: string;
  description: string;
  descriptionHtml: string;
  private: boolean;
  author: Person;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  closed: boolean;
  pinned: boolean;
  lastSeq: number;
  commentCount: number;
  maxDepth: number;
  version: number;
  reactions: Reaction[];
  attachments: Attachment[];
  read: ReadState | null;
  /** The reader's own volume for this thread; null: their group volume applies. */
  myVolume: Volume | null;
}

export interface TimelineItem {
  id: string;
  seq: number;
  kind: string;
  author: Person | null;
  body: string | null;
  bodyHtml: string | null;
  parentId: string | null;
  parentSeq: number | null;
  depth: number;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  version: number;
  replyCount: number;
  reactions: Reaction[];
  attachments: Attachment[];
  /** For poll and outcome items: the poll's id. */
  refId: string | null;
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface Version {
  version: number;
  title?: string | null;
  body: string;
  editedAt: string;
  editor?: Person;
}

export interface Upload {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
  maxBytes: number;
}

type Subject = { type: 'discussion' | 'comment'; id: string };

const path = encodeURIComponent;
const query = (params: Record<string, string | number | null | undefined>) => {
  const pairs = Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return pairs.length ? `?${pairs.map(([k, v]) => `${k}=${path(String(v))}`).join('&')}` : '';
};

export const discussionsApi = {
  list: (groupId: string, cursor?: string | null, fetcher?: typeof fetch) =>
    call<Page<ThreadSummary>>('GET', `/groups/${path(groupId)}/discussions${query({ cursor })}`, undefined, fetcher),
  markAllRead: (groupId: string) => call<void>('POST', `/groups/${path(groupId)}/discussions/read`),
  start: (groupId: string, input: { title: string; description?: string; private?: boolean; attachmentIds?: string[] }) =>
    call<Discussion>('POST', `/groups/${path(groupId)}/discussions`, input),
  get: (id: string, from?: number | null, fetcher?: typeof fetch) =>
    call<{ discussion: Discussion; timeline: Page<TimelineItem> }>('GET', `/discussions/${path(id)}${query({ from })}`, undefined, fetcher),
  events: (id: string, params: { from?: number; cursor?: string | null }) =>
    call<Page<TimelineItem>>('GET', `/discussions/${path(id)}/events${query(params)}`),
  update: (id: string, input: { title?: string; description?: string; private?: boolean }) =>
    call<Discussion>('PATCH', `/discussions/${path(id)}`, input),
  versions: (id: string) => call<{ current: Version; items: Version[] }>('GET', `/discussions/${path(id)}/versions`),
  control: (id: string, action: 'close' | 'reopen' | 'pin' | 'unpin') => call<Discussion>('POST', `/discussions/${path(id)}/${action}`),
  move: (id: string, groupId: string) => call<Discussion>('POST', `/discussions/${path(id)}/move`, { groupId }),
  markRead: (id: string, ranges: Array<[number, number]>) => call<ReadState>('POST', `/discussions/${path(id)}/read`, { ranges }),
  comment: (id: string, input: { body: string; parentId?: string; attachmentIds?: string[] }) =>
    call<TimelineItem>('POST', `/discussions/${path(id)}/comments`, input),
  editComment: (id: string, body: string) => call<TimelineItem>('PATCH', `/comments/${path(id)}`, { body }),
  deleteComment: (id: string) => call<void>('DELETE', `/comments/${path(id)}`),
  commentVersions: (id: string) => call<{ current: Version | null; items: Version[] }>('GET', `/comments/${path(id)}/versions`),
  react: (subject: Subject, emoji: ReactionName) => call<{ reactions: Reaction[] }>('PUT', '/reactions', { subject, emoji }),
  unreact: (subject: Subject) => call<{ reactions: Reaction[] }>('DELETE', '/reactions', { subject }),
  requestUpload: (file: { filename: string; contentType: string; size: number }) => call<Upload>('POST', '/uploads', file),
};

/** The facts the shared thread rules need. */
export const threadFacts = (d: Pick<Discussion, 'author' | 'private' | 'closed'>): DiscussionFacts => ({
  authorId: d.author.id,
  private: d.private,
  closed: d.closed,
});

/** Thread ids are `<groupId>.<threadId>`: the group part is known before the thread loads. */
export const groupIdOf = (threadId: string) => threadId.split('.')[0] ?? '';

/** Plain words for each reaction, for buttons and screen readers. */
export const reactionLabels: Record<ReactionName, string> = {
  thumbs_up: 'Thumbs up',
  heart: 'Heart',
  tada: 'Celebrate',
  smile: 'Smile',
  thinking: 'Thinking',
  eyes: 'Looking',
  pray: 'Thanks',
  sad: 'Sad',
};

export { personHandle } from '../../../shared/mentions.ts';

/** "12 March 2026, 14:05" in the reader's own locale. */
export function dateTimeOf(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleString(undefined, { day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** Consecutive sequence numbers as inclusive ranges: [1,2,3,7] → [[1,3],[7,7]]. */
export function rangesOf(seqs: number[]): Array<[number, number]> {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (const seq of sorted) {
    const last = out.at(-1);
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

export const allowedUploadTypes = [...ATTACHMENT_TYPES].join(',');

/**
 * Uploads one file: the API hands out a presigned POST, and the file goes straight to storage.
 * Answers the upload id to attach, or a message to show next to the file field.
 */
export async function uploadFile(file: File): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const requested = await discussionsApi.requestUpload({ filename: file.name, contentType: file.type || 'application/octet-stream', size: file.size });
  if (!requested.ok) {
    const fields = requested.error.fields ?? {};
    return { ok: false, message: `${file.name}: ${fields.contentType ?? fields.size ?? fields.filename ?? requested.error.message}` };
  }
  const stored = await postToStorage(requested.data, file);
  if (stored === 'refused') return { ok: false, message: `${file.name} could not be stored. Please try again.` };
  if (stored === 'offline') return { ok: false, message: `${file.name} could not be uploaded. Check your connection and try again.` };
  return { ok: true, id: requested.data.uploadId };
}
