import { sha256 } from './crypto.ts';
import { get, patch, transact } from './db.ts';
import { keys, nowSeconds, type SessionItem } from './entities.ts';

export const SESSION_COOKIE = 'moot_session';
/** No idle timeout; a session still ends after a year so forgotten devices do not stay signed in forever. */
export const SESSION_LIFETIME_SECONDS = 365 * 24 * 60 * 60;

/** How stale "last seen" may get before a request refreshes it. */
export const LAST_SEEN_EVERY_MS = 60 * 60 * 1000;

export interface Actor {
  id: string;
  email: string;
  name: string | null;
  sessionHash: string;
}

export function readCookie(header: string, name: string): string | null {
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** The cookie holds `<userId>.<sessionId>`; only the session id's hash is stored. */
export function parseSessionCookie(value: string | null): { userId: string; sessionId: string } | null {
  const match = value ? /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value) : null;
  return match ? { userId: match[1]!, sessionId: match[2]! } : null;
}

/** Resolves the actor from the Cookie header in one DynamoDB read. */
export async function readSession(cookieHeader: string): Promise<{ actor: Actor | null; sessionId: string | null }> {
  const parsed = parseSessionCookie(readCookie(cookieHeader, SESSION_COOKIE));
  if (!parsed) return { actor: null, sessionId: null };
  const sessionHash = sha256(parsed.sessionId);
  const session = await get<SessionItem>(keys.session(parsed.userId, sessionHash));
  // DynamoDB Local never deletes expired items, and the cloud deletes them late: check on read.
  if (!session || session.expiresAt <= nowSeconds()) return { actor: null, sessionId: parsed.sessionId };
  // "Last seen" (shown on the person's data page) moves at most hourly, so most requests stay one read.
  if (Date.now() - Date.parse(session.lastSeenAt) > LAST_SEEN_EVERY_MS) {
    await transact([patch(keys.session(parsed.userId, sessionHash), { set: { lastSeenAt: new Date().toISOString() } })]);
  }
  return {
    actor: { id: session.userId, email: session.email, name: session.name ?? null, sessionHash },
    sessionId: parsed.sessionId,
  };
}

// Secure even locally: browsers treat http://localhost as a secure context and keep the cookie.
export const sessionCookie = (userId: string, sessionId: string): string =>
  `${SESSION_COOKIE}=${userId}.${sessionId}; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=${SESSION_LIFETIME_SECONDS}`;

export const clearedSessionCookie = (): string => `${SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0`;
