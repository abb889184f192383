import { ListQuery } from '../../schemas/groups.ts';
import {
  DeleteReaction,
  EditComment,
  EditDiscussion,
  MoveDiscussion,
  PostComment,
  PutReaction,
  ReadRanges,
  RequestUpload,
  StartDiscussion,
  ThreadListQuery,
  TimelineQuery,
} from '../../schemas/discussions.ts';
import { SetItemVolume } from '../../schemas/notifications.ts';
import type { RouteSpec } from '../route-spec.ts';

/** Threads: discussions, their timelines, comments, reactions, read state and attachments. */
export const discussionRoutes = {
  'POST /api/groups/{id}/discussions': {
    fn: 'discussions', auth: 'required', status: 201,
    summary: 'Start a thread in a group.', body: StartDiscussion,
  },
  'GET /api/groups/{id}/discussions': {
    fn: 'discussions', auth: 'optional', status: 200,
    summary: 'A group\'s threads, pinned first, then newest activity, with unread counts.', query: ThreadListQuery,
  },
  'POST /api/groups/{id}/discussions/read': {
    fn: 'discussions', auth: 'required', status: 204,
    summary: 'Mark every thread of the group read.',
  },
  'GET /api/discussions/{id}': {
    fn: 'discussions', auth: 'optional', status: 200,
    summary: 'A thread, the first page of its timeline (or the page from ?from=), and the reader\'s read state.', query: TimelineQuery,
  },
  'PATCH /api/discussions/{id}': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'Edit the title, description or privacy; the earlier version is kept.', body: EditDiscussion,
  },
  'POST /api/discussions/{id}/close': { fn: 'discussions', auth: 'required', status: 200, summary: 'Close: no new comments or polls.' },
  'POST /api/discussions/{id}/reopen': { fn: 'discussions', auth: 'required', status: 200, summary: 'Reopen a closed thread.' },
  'POST /api/discussions/{id}/pin': { fn: 'discussions', auth: 'required', status: 200, summary: 'Pin to the top of the group.' },
  'POST /api/discussions/{id}/unpin': { fn: 'discussions', auth: 'required', status: 200, summary: 'Unpin.' },
  'POST /api/discussions/{id}/move': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'Move to another group where you are admin; privacy follows the new group\'s rules.', body: MoveDiscussion,
  },
  'GET /api/discussions/{id}/events': {
    fn: 'discussions', auth: 'optional', status: 200,
    summary: 'A page of 50 timeline items from a sequence number or a cursor.', query: TimelineQuery,
  },
  'GET /api/discussions/{id}/versions': {
    fn: 'discussions', auth: 'optional', status: 200,
    summary: 'Earlier versions of the title and description.', query: ListQuery,
  },
  'POST /api/discussions/{id}/read': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'Add sequence ranges to what the reader has read.', body: ReadRanges,
  },
  'POST /api/discussions/{id}/comments': {
    fn: 'discussions', auth: 'required', status: 201,
    summary: 'Comment, or reply to a comment.', body: PostComment,
  },
  'PATCH /api/comments/{id}': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'Edit a comment; the earlier version is kept.', body: EditComment,
  },
  'DELETE /api/comments/{id}': {
    fn: 'discussions', auth: 'required', status: 204,
    summary: 'Delete a comment: a placeholder stays if it has replies.',
  },
  'GET /api/comments/{id}/versions': {
    fn: 'discussions', auth: 'optional', status: 200,
    summary: 'Every earlier version of a comment.', query: ListQuery,
  },
  'PUT /api/reactions': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'React to a discussion or comment (one reaction per person per item).', body: PutReaction,
  },
  'DELETE /api/reactions': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'Take your reaction back.', body: DeleteReaction,
  },
  'POST /api/uploads': {
    fn: 'discussions', auth: 'required', status: 201,
    summary: 'A presigned POST for uploading one file (at most 25 MB, allowed types only) straight to storage.', body: RequestUpload,
  },
  'GET /api/attachments/{id}': {
    fn: 'discussions', auth: 'optional', status: 302,
    summary: 'Redirects to a short-lived download link, after checking you may see the thread.',
  },
  'PUT /api/discussions/{id}/volume': {
    fn: 'discussions', auth: 'required', status: 200,
    summary: 'How much a member hears from this thread: mute, quiet, normal or loud, ahead of the group\'s volume; `group` follows the group again.', body: SetItemVolume,
  },
} as const satisfies Record<string, RouteSpec>;
