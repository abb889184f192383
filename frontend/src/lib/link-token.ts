import { SignInToken } from '../../../shared/schemas/auth.ts';
import { check } from './validate.ts';

/**
 * Reads the token an emailed or shared link carries in its fragment (`#token=…`), and takes it
 * out of the address bar and history at once, so it never lands in a log, a Referer or a bookmark.
 * The token is kept for this tab only, so a reload or a detour through sign-in does not lose it.
 */
export function takeLinkToken(storageKey: string): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  const raw = fromHash ?? sessionStorage.getItem(storageKey);
  // Links carry the same 43-character token format as sign-in links.
  const parsed = check(SignInToken, raw ?? '');
  if (!parsed.ok) {
    sessionStorage.removeItem(storageKey);
    return null;
  }
  sessionStorage.setItem(storageKey, parsed.value);
  return parsed.value;
}

export function forgetLinkToken(storageKey: string): void {
  sessionStorage.removeItem(storageKey);
}
