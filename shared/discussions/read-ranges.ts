/** Inclusive [first, last] sequence ranges: how a reader's read items are stored. */
export type Range = [number, number];

/** Sorts and merges overlapping or adjacent ranges: [[1,3],[4,6],[9,9]] → [[1,6],[9,9]]. */
export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = ranges
    .map(([a, b]) => (a <= b ? [a, b] : [b, a]) as Range)
    .sort((x, y) => x[0] - y[0]);
  const out: Range[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** How many of 1..lastSeq the ranges cover. */
export function coveredCount(ranges: Range[], lastSeq: number): number {
  let count = 0;
  for (const [a, b] of mergeRanges(ranges)) {
    if (a > lastSeq) break;
    count += Math.min(b, lastSeq) - a + 1;
  }
  return count;
}

export const unreadCount = (ranges: Range[], lastSeq: number) => Math.max(0, lastSeq - coveredCount(ranges, lastSeq));

/** The first sequence number in 1..lastSeq not yet read, or null when everything is read. */
export function firstUnread(ranges: Range[], lastSeq: number): number | null {
  let next = 1;
  for (const [a, b] of mergeRanges(ranges)) {
    if (a > next) break;
    next = Math.max(next, b + 1);
  }
  return next <= lastSeq ? next : null;
}
