import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { canReact } from '../../shared/permissions/discussions.ts';
import { db } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { get } from '../lib/db.ts';
import { forbidden, notFound } from '../lib/errors.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { loadThread, parseCommentId, parseThreadId, threadFacts, threadKeys, type TimelineItem } from './store.ts';
import { reactionsView } from './views.ts';
import { isHiddenVote } from './vote-items.ts';

type Subject = { type: 'discussion' | 'comment'; id: string };

/** The item a reaction is on: the thread itself or one of its comments, for someone who may react. */
async function target(subject: Subject, actor: ApiRequest<'PUT /api/reactions'>['actor']) {
  const ref = subject.type === 'comment' ? parseCommentId(subject.id) : { ...parseThreadId(subject.id), seq: null };
  const context = await loadThread(ref.groupId, ref.threadId, actor);
  if (!canReact(context.facts, context.viewer, threadFacts(context.thread))) {
    throw context.viewer.membership ? forbidden('You cannot react here.') : notFound('Nothing to react to.');
  }
  if (ref.seq !== null) {
    const comment = await get<TimelineItem>(threadKeys.item(ref.threadId, ref.seq));
    if (!comment || comment.deletedAt || (await isHiddenVote(comment, context.viewer.userId))) throw notFound('Nothing to react to.');
  }
  return { context, key: ref.seq === null ? threadKeys.thread(ref.threadId) : threadKeys.item(ref.threadId, ref.seq) };
}

/**
 * One reaction per person per item, by construction: reactions are a map keyed by user id on
 * the item itself, so the timeline read brings them along and a second reaction replaces the first.
 */
async function setReaction(key: { pk: string; sk: string }, userId: string, value: unknown | undefined) {
  const { Attributes } = await db.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: key,
      UpdateExpression: value === undefined ? 'REMOVE #reactions.#user' : 'SET #reactions.#user = :reaction',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#deletedAt)',
      ExpressionAttributeNames: { '#reactions': 'reactions', '#user': userId, '#deletedAt': 'deletedAt' },
      ...(value === undefined ? {} : { ExpressionAttributeValues: { ':reaction': value } }),
      ReturnValues: 'ALL_NEW',
    }),
  ).catch((error: Error) => {
    if (error.name === 'ConditionalCheckFailedException') throw notFound('Nothing to react to.');
    throw error;
  });
  return (Attributes?.reactions ?? {}) as TimelineItem['reactions'];
}

/** PUT /api/reactions. */
export async function putReaction(request: ApiRequest<'PUT /api/reactions'>): Promise<ApiReply> {
  const { context, key } = await target(request.body.subject, request.actor);
  const reactions = await setReaction(key, request.actor.id, { emoji: request.body.emoji, name: request.actor.name });
  return { body: { reactions: reactionsView(reactions, context.viewer) } };
}

/** DELETE /api/reactions. */
export async function deleteReaction(request: ApiRequest<'DELETE /api/reactions'>): Promise<ApiReply> {
  const { context, key } = await target(request.body.subject, request.actor);
  const reactions = await setReaction(key, request.actor.id, undefined);
  return { body: { reactions: reactionsView(reactions, context.viewer) } };
}
