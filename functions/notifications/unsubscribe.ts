import { config } from '../lib/config.ts';
import { failed, put, transact } from '../lib/db.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { categoryLabel } from './templates.ts';
import { defaultPreferences, notificationKeys } from './store.ts';
import { readUnsubscribeToken } from './unsubscribe-token.ts';

/** GET /api/unsubscribe?token=: what the link will do, so the page can ask before it POSTs. */
export async function describeUnsubscribe(request: ApiRequest<'GET /api/unsubscribe'>): Promise<ApiReply> {
  const { category } = await readUnsubscribeToken(request.query.token);
  return { body: { action: 'unsubscribe', category, description: `Stop emails about ${categoryLabel(category)} from ${config.brandName}.` } };
}

/**
 * POST /api/unsubscribe?token= (RFC 8058 one-click; also the page's button). Switches off that one
 * category for that one person (the digest category sets the digest to never), and nothing else.
 */
export async function unsubscribe(request: ApiRequest<'POST /api/unsubscribe'>): Promise<ApiReply> {
  const { userId, category } = await readUnsubscribeToken(request.query.token);
  const key = notificationKeys.preferences(userId);
  const now = new Date().toISOString();
  const meta = { ip: request.ip };
  const codes = await transact([
    {
      Update: {
        TableName: config.tableName,
        Key: key,
        UpdateExpression: `ADD mutedCategories :c SET updatedAt = :now${category === 'digest' ? ', digest = :never REMOVE gsi2pk, gsi2sk, dueKind' : ''}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':c': new Set([category]), ':now': now, ...(category === 'digest' ? { ':never': 'never' } : {}) },
      },
    },
    recordEvent({ kind: 'EmailUnsubscribed', userId, category }, meta),
  ]);
  if (failed(codes, 0)) {
    // No preferences saved yet: save the defaults with this category off, unless they appeared meanwhile.
    const created = await transact([
      put({ ...key, type: 'emailPreferences', userId, ...defaultPreferences(), categories: undefined, mutedCategories: new Set([category]), updatedAt: now }, { if: 'attribute_not_exists(pk)' }),
      recordEvent({ kind: 'EmailUnsubscribed', userId, category }, meta),
    ]);
    if (created) return unsubscribe(request);
  } else if (codes) {
    throw new Error(`Unsubscribe failed: ${codes.join(',')}`);
  }
  return { body: { unsubscribed: true, category, description: `You will get no more emails about ${categoryLabel(category)}.` } };
}
