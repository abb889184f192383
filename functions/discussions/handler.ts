import { capability } from '../lib/http.ts';
import { deleteComment, editComment, getCommentVersions } from './comment-changes.ts';
import { editDiscussion, moveDiscussion, threadControl } from './edit-discussion.ts';
import { getDiscussion, getDiscussionVersions, getTimeline } from './get-discussion.ts';
import { listDiscussions } from './list-discussions.ts';
import { postComment } from './post-comment.ts';
import { deleteReaction, putReaction } from './reactions.ts';
import { markGroupRead, markRead } from './read-state.ts';
import { startDiscussion } from './start-discussion.ts';
import { getAttachment, requestUpload } from './uploads.ts';
import { setThreadVolume } from '../notifications/set-thread-volume.ts';

export const handler = capability({
  'POST /api/groups/{id}/discussions': startDiscussion,
  'GET /api/groups/{id}/discussions': listDiscussions,
  'POST /api/groups/{id}/discussions/read': markGroupRead,
  'GET /api/discussions/{id}': getDiscussion,
  'PATCH /api/discussions/{id}': editDiscussion,
  'POST /api/discussions/{id}/close': threadControl('close'),
  'POST /api/discussions/{id}/reopen': threadControl('reopen'),
  'POST /api/discussions/{id}/pin': threadControl('pin'),
  'POST /api/discussions/{id}/unpin': threadControl('unpin'),
  'POST /api/discussions/{id}/move': moveDiscussion,
  'GET /api/discussions/{id}/events': getTimeline,
  'GET /api/discussions/{id}/versions': getDiscussionVersions,
  'POST /api/discussions/{id}/read': markRead,
  'POST /api/discussions/{id}/comments': postComment,
  'PATCH /api/comments/{id}': editComment,
  'DELETE /api/comments/{id}': deleteComment,
  'GET /api/comments/{id}/versions': getCommentVersions,
  'PUT /api/reactions': putReaction,
  'DELETE /api/reactions': deleteReaction,
  'POST /api/uploads': requestUpload,
  'GET /api/attachments/{id}': getAttachment,
  'PUT /api/discussions/{id}/volume': setThreadVolume,
});
