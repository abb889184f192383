import type { EmailCategory } from '../../shared/schemas/notifications.ts';
import { EmailCategory as EmailCategorySchema } from '../../shared/schemas/notifications.ts';
import * as z from 'zod/mini';
import { hmac, safeEqual } from '../lib/crypto.ts';
import { badRequest } from '../lib/errors.ts';
import { getSigningKey } from '../lib/secrets.ts';

/**
 * Unsubscribe tokens name one person and one category and are HMAC-signed, so a link works
 * signed out and can only ever switch off that category for that person.
 */
export async function unsubscribeToken(userId: string, category: EmailCategory): Promise<string> {
  const payload = Buffer.from(JSON.stringify({ u: userId, c: category })).toString('base64url');
  return `${payload}.${hmac(await getSigningKey(), `unsubscribe|${payload}`)}`;
}

export async function readUnsubscribeToken(token: string): Promise<{ userId: string; category: EmailCategory }> {
  const invalid = () => badRequest('This unsubscribe link is not valid. Change your email settings in the app instead.', 'invalid_token');
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw invalid();
  if (!safeEqual(signature, hmac(await getSigningKey(), `unsubscribe|${payload}`))) throw invalid();
  let parsed: { u?: unknown; c?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const category = z.safeParse(EmailCategorySchema, parsed.c);
  if (typeof parsed.u !== 'string' || !category.success) throw invalid();
  return { userId: parsed.u, category: category.data };
}
