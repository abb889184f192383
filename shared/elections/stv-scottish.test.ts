import { describe, expect, it } from 'vitest';
import { count } from './index.ts';
import { election } from './test-builders.ts';

// Stage 1: A 9, B 5, C 6, D 3, E 2. E goes first (B 7), then D (C 7, 2 papers exhaust).
// B and C then tie on 7: at stage 2 C had 6 and B 7, so C goes, although at stage 1 B was lower.
const EARLIER_STAGE = election(['A', 'B', 'C', 'D', 'E'], 1, [
  [9, 'A'],
  [5, 'B'],
  [6, 'C', 'A'],
  [1, 'D', 'C'],
  [2, 'D'],
  [2, 'E', 'B'],
]);

describe('Scottish STV tie-breaks', () => {
  it('excludes the tied candidate who was lower at the most recent stage at which they differed', () => {
    // Act
    const result = count('stv-scottish', EARLIER_STAGE);

    // Assess
    expect(result.quota).toBe('13');
    expect(result.stages.map((s) => s.excluded)).toEqual([[], ['E'], ['D'], ['C']]);
    expect(result.stages[2]?.votes).toMatchObject({ B: '7.00000', C: '7.00000' });
    expect(result.stages[3]?.tie_break).toEqual({ among: ['B', 'C'], chosen: 'C', by: 'earlier-stage' });
    expect(result.stages[3]?.votes).toMatchObject({ A: '15.00000', B: '7.00000', C: '0.00000' });
    expect(result.stages[3]?.non_transferable).toBe('3.00000');
    expect(result.elected).toEqual(['A']);
  });

  it('breaks a tie that held at every stage by the seeded lot, the same way for the same seed', () => {
    // Prepare: B and C tie at the first stage, so there is no earlier stage to look at.
    const tied = election(['A', 'B', 'C'], 1, [
      [3, 'A'],
      [2, 'B', 'A'],
      [2, 'C', 'B'],
    ]);

    // Act
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => count('stv-scottish', tied, { seed }));
    const again = count('stv-scottish', tied, { seed: 5 });

    // Assess
    for (const [i, run] of runs.entries()) {
      expect(run.seed).toBe(i + 1);
      expect(run.stages[1]?.tie_break).toMatchObject({ among: ['B', 'C'], by: 'lot' });
      expect(run.stages[1]?.excluded).toEqual([run.stages[1]?.tie_break?.chosen]);
    }
    expect(new Set(runs.map((r) => r.stages[1]?.excluded[0]))).toEqual(new Set(['B', 'C']));
    expect(again).toEqual(runs[4]);
  });

  it('transfers the larger of two surpluses first and draws lots between equal ones', () => {
    // Prepare: quota 4; A and B both hold 5 from the first stage on.
    const equal = election(['A', 'B', 'C', 'D'], 3, [
      [5, 'A', 'C'],
      [5, 'B', 'D'],
      [1, 'C'],
      [2, 'D'],
    ]);
    const unequal = election(['A', 'B', 'C', 'D'], 3, [
      [5, 'A', 'C'],
      [6, 'B', 'D'],
      [1, 'C'],
      [2, 'D'],
    ]);

    // Act
    const tie = count('stv-scottish', equal, { seed: 7 });
    const larger = count('stv-scottish', unequal);

    // Assess
    expect(tie.stages[1]?.tie_break).toEqual({ among: ['A', 'B'], chosen: tie.stages[1]?.surplus, by: 'lot' });
    expect(larger.stages[1]?.surplus).toBe('B');
    expect(larger.stages[1]?.tie_break).toBeUndefined();
  });

  it('deems the continuing candidates elected once they just fill the vacancies, without further transfers', () => {
    // Prepare: quota 4. After C (1) is excluded, only B is left for the last seat.
    const last = election(['A', 'B', 'C'], 2, [
      [6, 'A'],
      [3, 'B'],
      [1, 'C'],
    ]);

    // Act
    const result = count('stv-scottish', last);

    // Assess
    expect(result.stages.map((s) => [s.elected, s.excluded, s.surplus])).toEqual([
      [['A'], [], null],
      [[], [], 'A'],
      [['B'], ['C'], null],
    ]);
    expect(result.stages[2]?.votes.B).toBe('3.00000');
  });
});
