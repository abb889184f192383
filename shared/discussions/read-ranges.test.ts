import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coveredCount, firstUnread, mergeRanges, unreadCount, type Range } from './read-ranges.ts';

describe('read ranges', () => {
  it('merges overlapping and adjacent ranges', () => {
    expect(mergeRanges([[4, 6], [1, 3], [9, 9], [5, 7]])).toEqual([[1, 7], [9, 9]]);
  });

  it('counts unread items up to the last sequence number', () => {
    expect(unreadCount([[1, 3], [6, 6]], 8)).toBe(4);
    expect(unreadCount([], 5)).toBe(5);
    expect(unreadCount([[1, 50]], 10)).toBe(0);
  });

  it('finds the first unread item', () => {
    expect(firstUnread([[1, 3], [5, 9]], 10)).toBe(4);
    expect(firstUnread([[2, 3]], 10)).toBe(1);
    expect(firstUnread([[1, 10]], 10)).toBeNull();
  });

  it('agrees with a set of read numbers for any ranges', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }))), fc.integer({ min: 0, max: 60 }), (raw, last) => {
        const ranges = raw as Range[];
        const read = new Set<number>();
        for (const [a, b] of ranges) for (let i = Math.min(a, b); i <= Math.max(a, b); i++) read.add(i);
        const expected = [...read].filter((n) => n <= last).length;
        expect(coveredCount(ranges, last)).toBe(expected);
        const first = Array.from({ length: last }, (_, i) => i + 1).find((n) => !read.has(n)) ?? null;
        expect(firstUnread(ranges, last)).toBe(first);
      }),
    );
  });
});
