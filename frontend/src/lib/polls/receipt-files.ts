// Files the browser makes for anonymous ballots (the receipt, the ballot list), with no round trip
// to the server. Only the receipt panel and the ballot check load this.

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
