import { canonicalReceipt, formatReceipt } from '../../../../shared/polls/receipts.ts';

// The browser's side of anonymous ballots: this browser keeps each poll's receipt, because the
// server cannot give it back; nothing else links the voter to their ballot.

const key = (pollId: string) => `moot.receipt.${pollId}`;

/** The receipt this browser keeps for a poll, as shown (`ABCD-EFGH-…`), or null. */
export function storedReceipt(pollId: string): string | null {
  try {
    const canonical = canonicalReceipt(localStorage.getItem(key(pollId)) ?? '');
    return canonical && formatReceipt(canonical);
  } catch {
    // Storage turned off (some private modes): the person pastes their receipt instead.
    return null;
  }
}

export function keepReceipt(pollId: string, receipt: string): void {
  try {
    localStorage.setItem(key(pollId), receipt);
  } catch {
    // Nothing to do: the receipt panel asks the person to keep it themself.
  }
}

export function forgetReceipt(pollId: string): void {
  try {
    localStorage.removeItem(key(pollId));
  } catch {
    // As above.
  }
}

/** A receipt as typed or pasted, ready to send (`ABCD-EFGH-…`), or null when it cannot be one. */
export function typedReceipt(input: string): string | null {
  const canonical = canonicalReceipt(input);
  return canonical && formatReceipt(canonical);
}
