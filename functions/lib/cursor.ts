import { hmac, safeEqual } from './crypto.ts';
import { badRequest } from './errors.ts';
import { getSigningKey } from './secrets.ts';

/**
 * Pagination cursors are opaque and signed: the last key of a page plus the scope it belongs to
 * (e.g. one group's member list). A tampered cursor, or one from another list, is a 400 and is
 * never used as a start key.
 */
export async function encodeCursor(scope: string, lastKey: Record<string, unknown> | undefined): Promise<string | null> {
  if (!lastKey) return null;
  const payload = Buffer.from(JSON.stringify(lastKey)).toString('base64url');
  return `${payload}.${hmac(await getSigningKey(), `${scope}|${payload}`)}`;
}

export async function decodeCursor(scope: string, cursor: string | undefined): Promise<Record<string, unknown> | undefined> {
  if (!cursor) return undefined;
  const [payload, signature, extra] = cursor.split('.');
  const invalid = () => badRequest('The cursor is not valid here. Start again from the first page.', 'invalid_cursor');
  if (!payload || !signature || extra !== undefined) throw invalid();
  if (!safeEqual(signature, hmac(await getSigningKey(), `${scope}|${payload}`))) throw invalid();
  try {
    const key = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalid();
    return key as Record<string, unknown>;
  } catch {
    throw invalid();
  }
}
