import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 random bits as base64url (43 characters): session ids and link tokens. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** A short random id for items (128 bits, base64url). */
export const newId = (): string => randomBytes(16).toString('base64url');

/** Six decimal digits, uniformly drawn. */
export const sixDigitCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Secrets are stored only as this hash; a 256-bit random secret needs no salt or stretching. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Email addresses key some items; the key holds a hash so the address is not spread through keys and logs. */
export const emailHash = (email: string): string => sha256(`email:${email.toLowerCase()}`);

export const hmac = (key: string, value: string): string => createHmac('sha256', key).update(value).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
