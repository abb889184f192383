/**
 * Receipts for anonymous ballots. A receipt is 160 random bits, written in RFC 4648 base32 as
 * eight groups of four characters. The server keeps only its fingerprint, the SHA-256 of the
 * receipt's canonical form (hex): that is the ballot's key, and it is what the published ballot
 * list shows, so a voter recognises their ballot by hashing their receipt, in their own browser.
 * Runs unchanged in Node and in browsers (Web Crypto only).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const RECEIPT_BYTES = 20;
/** 20 bytes are 160 bits, exactly 32 base32 characters. */
const RECEIPT_LENGTH = 32;

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return bits > 0 ? out + ALPHABET[(buffer << (5 - bits)) & 31] : out;
}

/** A new receipt, in its canonical form (32 characters, A-Z and 2-7). */
export function newReceipt(): string {
  return base32(crypto.getRandomValues(new Uint8Array(RECEIPT_BYTES)));
}

/** How a receipt is shown and offered for copying: `ABCD-EFGH-…`, easier to read aloud and compare. */
export function formatReceipt(canonical: string): string {
  return canonical.match(/.{1,4}/g)!.join('-');
}

/**
 * The canonical form of what someone typed or pasted: spaces and dashes dropped, letters upper-cased,
 * and the digits people confuse with letters (0, 1, 8) read as the letters base32 uses instead.
 * Null when it cannot be a receipt.
 */
export function canonicalReceipt(input: string): string | null {
  if (input.length > 200) return null;
  const text = input.replace(/[\s-]/g, '').toUpperCase().replace(/0/g, 'O').replace(/1/g, 'I').replace(/8/g, 'B');
  return text.length === RECEIPT_LENGTH && /^[A-Z2-7]+$/.test(text) ? text : null;
}

/** The ballot's key and public fingerprint: SHA-256 of the canonical receipt, as 64 hex digits. */
export async function receiptFingerprint(canonical: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A fingerprint as stored and published: 64 lower-case hex digits. */
export const isFingerprint = (value: string): boolean => /^[0-9a-f]{64}$/.test(value);
