import { describe, expect, it } from 'vitest';
import { ElectionError, count } from './index.ts';
import { election } from './test-builders.ts';
import type { Election } from './types.ts';

describe('election input', () => {
  it.each([
    ['a preference for a candidate who does not exist', { ...election(['A', 'B'], 1, []), ballots: [{ weight: 1, ranks: [2] }] }, 'ballot preferences must be candidate indices'],
    ['a fractional weight', { ...election(['A', 'B'], 1, []), ballots: [{ weight: 1.5, ranks: [0] }] }, 'ballot weights must be positive whole numbers'],
    ['more seats than candidates', election(['A', 'B'], 3, []), 'seats must be a whole number between 1 and 2'],
    ['too few candidates left after withdrawals', { ...election(['A', 'B'], 2, []), withdrawn: [1] }, 'more seats than candidates left after withdrawals'],
    ['two candidates with one name', election(['A', 'A'], 1, []), 'candidate names must be unique'],
  ] as [string, Election, string][])('rejects %s with an ElectionError', (_, input, message) => {
    // Act
    const act = () => count('stv-scottish', input);

    // Assess
    expect(act).toThrow(ElectionError);
    expect(act).toThrow(message);
  });

  it('skips a withdrawn candidate on every ballot and leaves them out of valid votes when nothing else is ranked', () => {
    // Prepare
    const withdrawn: Election = {
      ...election(['A', 'B', 'C'], 1, [
        [3, 'B', 'C'],
        [2, 'A'],
        [1, 'B'],
      ]),
      withdrawn: [1],
    };

    // Act
    const result = count('stv-scottish', withdrawn);

    // Assess
    expect(result.valid_votes).toBe(5);
    expect(result.stages[0]?.votes).toEqual({ A: '2.00000', B: '0.00000', C: '3.00000' });
    expect(result.elected).toEqual(['C']);
  });
});
