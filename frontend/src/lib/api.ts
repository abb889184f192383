import type { Me, RedeemSignIn, SignedIn } from '../../../shared/schemas/auth.ts';
import type { ErrorBody } from '../../../shared/schemas/common.ts';
import { brand } from './brand.ts';

export type ApiError = ErrorBody['error'] & {
  status: number;
  /** Seconds to wait, from `Retry-After`, when the answer was 429. */
  retryAfter?: number;
};

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ApiError };

type Fetch = typeof fetch;

const offline: ApiError = {
  status: 0,
  code: 'network',
  message: `We could not reach ${brand.name}. Check your connection and try again.`,
};

/**
 * Calls the same-origin API and turns every answer into a result: a failure is data to show
 * on the page, never an exception, so every caller has to decide what the person sees.
 */
export async function call<T>(method: string, path: string, body?: unknown, fetcher: Fetch = fetch): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetcher(`/api${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, error: offline };
  }

  if (response.ok) {
    const data = response.status === 204 ? undefined : await response.json().catch(() => undefined);
    return { ok: true, data: data as T };
  }

  const parsed = (await response.json().catch(() => null)) as Partial<ErrorBody> | null;
  const error: ApiError = {
    status: response.status,
    code: parsed?.error?.code ?? 'unknown',
    message: parsed?.error?.message ?? 'Something went wrong on our side. Please try again in a moment.',
    fields: parsed?.error?.fields,
  };
  const retryAfter = Number(response.headers.get('retry-after'));
  if (response.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) error.retryAfter = retryAfter;
  return { ok: false, error };
}

export const api = {
  requestSignIn: (email: string) => call<{ message: string }>('POST', '/auth/email', { email }),
  redeemSignIn: (input: RedeemSignIn) => call<SignedIn>('POST', '/auth/token', input),
  me: (fetcher?: Fetch) => call<Me>('GET', '/me', undefined, fetcher),
  updateMe: (name: string) => call<Me>('PATCH', '/me', { name }),
  signOut: () => call<void>('DELETE', '/auth/session'),
  signOutEverywhere: () => call<void>('DELETE', '/auth/sessions'),
};

/** "about 2 minutes", for a human reading a Retry-After. */
export function waitPhrase(seconds: number): string {
  if (seconds < 60) return seconds <= 1 ? 'a second' : `${Math.ceil(seconds)} seconds`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes > 90) return `${Math.ceil(minutes / 60)} hours`;
  return minutes === 1 ? 'a minute' : `${minutes} minutes`;
}

const returnKey = 'moot.returnTo';

/**
 * Remembers, for this tab only, where to go once the person has signed in (and named themself),
 * such as back to a join link. Only same-site paths are kept.
 */
export function returnAfterSignIn(path: string): void {
  if (path.startsWith('/') && !path.startsWith('//')) sessionStorage.setItem(returnKey, path);
}

/** Takes (and forgets) where to go after signing in, or the home page. */
export function takeReturnPath(): string {
  const path = sessionStorage.getItem(returnKey);
  sessionStorage.removeItem(returnKey);
  return path && path.startsWith('/') && !path.startsWith('//') ? path : '/';
}

/** Where a person goes right after signing in: a name first, if we don't have one. */
export function afterSignIn({ user, isNewUser }: SignedIn): string {
  return isNewUser || user.name === null ? '/welcome' : takeReturnPath();
}
