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

/** What the receipt file says: enough to use it months later without this page. */
export function receiptText(poll: { id: string; title: string }, receipt: string, pageUrl: string, product: string): string {
  return [
    `Your ballot receipt for the anonymous poll "${poll.title}" on ${product}`,
    '',
    `    ${receipt}`,
    '',
    `Poll: ${pageUrl}`,
    '',
    'This receipt is the only link to your ballot. Nobody else has it, not even the people who run',
    `${product}, so it cannot be shown to you again. Keep this file somewhere safe and private.`,
    '',
    'While the poll is open: to change or withdraw your vote from another browser or device, open the',
    'poll and paste the receipt where the page asks for it.',
    '',
    'After the poll closes: open the poll, go to "Check the count" and paste the receipt under',
    '"Check my ballot". Your browser hashes it and finds your ballot in the published list; the',
    'receipt itself is never sent.',
    '',
    'Anyone who has this receipt can change your vote while the poll is open. Do not share it.',
    '',
  ].join('\n');
}

/** Saves `text` as a file named `name`, from the browser, with no round trip to the server. */
export function saveFile(name: string, text: string, type = 'text/plain'): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

/** A poll title as a safe part of a file name. */
export const fileStem = (title: string) =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'poll';
