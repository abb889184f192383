import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Key } from '../lib/db.ts';

/**
 * Optional passwords: how they are hashed and checked, and where they are kept. Failed attempts
 * count with wrong codes (`guesses.ts`). Sign-in by email link stays the way in, and the way back in.
 */

/**
 * scrypt at OWASP's floor (N=2^15, r=8, p=3: 32 MiB, ~0.2 s here). Every hash records its own
 * parameters, so these can be raised later: old hashes still verify with theirs, and are
 * re-hashed with these the next time the person signs in with their password.
 */
export const SCRYPT = { N: 2 ** 15, r: 8, p: 3, keylen: 32, saltBytes: 16 } as const;

export interface PasswordHash {
  algorithm: 'scrypt';
  N: number;
  r: number;
  p: number;
  keylen: number;
  /** base64url */
  salt: string;
  /** base64url */
  hash: string;
}

/** The person's password, in their own partition (so deletion removes it with everything else). */
export interface PasswordItem extends Key, PasswordHash {
  type: 'password';
  userId: string;
  setAt: string;
}

export const passwordKeys = {
  password: (userId: string): Key => ({ pk: `user#${userId}`, sk: 'password' }),
};

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFC'), salt, keylen, { ...options, maxmem: 256 * options.N! * options.r! + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(SCRYPT.saltBytes);
  const { N, r, p, keylen } = SCRYPT;
  const hash = await scrypt(password, salt, keylen, { N, r, p });
  return { algorithm: 'scrypt', N, r, p, keylen, salt: salt.toString('base64url'), hash: hash.toString('base64url') };
}

/** Compares in constant time, with the parameters the hash was made with. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const expected = Buffer.from(stored.hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(stored.salt, 'base64url'), stored.keylen, { N: stored.N, r: stored.r, p: stored.p });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export const needsRehash = (stored: PasswordHash) =>
  stored.N !== SCRYPT.N || stored.r !== SCRYPT.r || stored.p !== SCRYPT.p || stored.keylen !== SCRYPT.keylen;

let decoy: Promise<PasswordHash> | undefined;

/**
 * Spends the same time as a real comparison when there is nothing to compare with (no account,
 * no password), so the answer's timing does not tell which it was.
 */
export async function compareWithDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(16).toString('base64url'));
  await verifyPassword(password, await decoy);
  return false;
}
