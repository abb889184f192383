import { ConditionFailed, get, put, remove, transact, update, updateItem, type Key } from '../lib/db.ts';
import { nowSeconds } from '../lib/entities.ts';
import { AppError } from '../lib/errors.ts';
import { emailLimitKey } from '../lib/rate-limit.ts';

/**
 * Codes and passwords can be guessed; a link's 256-bit token cannot. So every code and every
 * password tried for an address counts here, across all of its sign-in requests, before it is
 * compared: a new email no longer brings five fresh guesses. A 6-digit code then falls to
 * guessing once in 100,000 days; a password's odds depend on the password, but are as slim.
 *
 * The count belongs to the address's canonical form (case, dots and +tags do not reset it) and
 * never to an account, so an address with no account counts, pauses and answers exactly alike.
 */
export const MAX_GUESSES = 10;

/** A day after the last counted guess the count restarts; until then a full count pauses guessing. */
export const GUESS_WINDOW_SECONDS = 24 * 60 * 60;

export interface GuessesItem extends Key {
  type: 'signInGuesses';
  attempts: number;
  expiresAt: number;
}

export const guessesKey = (email: string): Key => ({ pk: `guesses#${emailLimitKey(email)}`, sk: 'guesses' });

/** Signing in by any method proves the address: its count is cleared in the same transaction. */
export const clearGuesses = (email: string) => remove(guessesKey(email));

export const guessingPaused = (retryAfterSeconds: number) =>
  new AppError(
    429,
    'sign_in_paused',
    'Too many wrong codes or passwords were tried for this address, so they are paused for it for a while. The link in a sign-in email still works.',
    { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } },
  );

/**
 * Counts one guess as a conditional increment: of any number of parallel guesses at most
 * MAX_GUESSES are ever counted (and so compared). Answers null when counted, or the seconds until
 * guessing resumes. DynamoDB Local never deletes expired items, so an expired count is replaced
 * (conditionally, so parallel guesses restart it once) rather than trusted.
 */
export async function countGuess(email: string): Promise<number | null> {
  const key = guessesKey(email);
  for (let round = 0; round < 3; round++) {
    const now = nowSeconds();
    try {
      await updateItem(
        update(key, { add: { attempts: 1 }, set: { type: 'signInGuesses', expiresAt: now + GUESS_WINDOW_SECONDS } }, {
          if: 'attribute_not_exists(pk) OR (#attempts < :most AND #expiresAt > :now)',
          values: { ':most': MAX_GUESSES, ':now': now },
        }),
      );
      return null;
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
    }
    const stored = await get<GuessesItem>(key);
    if (stored && stored.expiresAt > now) return stored.expiresAt - now;
    const fresh: GuessesItem = { ...key, type: 'signInGuesses', attempts: 1, expiresAt: now + GUESS_WINDOW_SECONDS };
    const codes = await transact([
      put({ ...fresh }, stored ? { if: '#expiresAt = :seen', values: { ':seen': stored.expiresAt } } : { if: 'attribute_not_exists(pk)' }),
    ]);
    if (!codes) return null;
  }
  return GUESS_WINDOW_SECONDS;
}

/** countGuess for a sign-in: a paused address answers 429 with Retry-After. */
export async function spendGuess(email: string): Promise<void> {
  const wait = await countGuess(email);
  if (wait !== null) throw guessingPaused(wait);
}
