import { describe, expect, it } from 'vitest';
import { count } from './index.ts';
import { election } from './test-builders.ts';

describe('Meek STV', () => {
  it('lowers the quota as an elected candidate’s surplus exhausts, electing B without an exclusion', () => {
    // Prepare: A's 60 papers rank nobody else. The fixed Droop quota (34) would need C excluded
    // first; under Meek A keeps less of each paper, the rest exhausts and the quota falls below B's 25.
    const race = election(['A', 'B', 'C'], 2, [
      [60, 'A'],
      [25, 'B'],
      [15, 'C'],
    ]);

    // Act
    const result = count('stv-meek', race);

    // Assess
    expect(result.quota).toBe('33.333333334');
    expect(result.stages).toHaveLength(2);
    expect(result.stages[0]).toMatchObject({ elected: ['A'], excluded: [] });
    expect(result.stages[1]).toMatchObject({ elected: ['B'], excluded: [], surplus: null, iterations: 1 });
    const quota = Number(result.stages[1]?.quota);
    expect(quota).toBeGreaterThan(24);
    expect(quota).toBeLessThanOrEqual(25);
    expect(result.elected).toEqual(['A', 'B']);
  });

  it('iterates keep values until the elected hold the quota within tolerance, and lowers the quota when papers exhaust', () => {
    // Prepare: quota 33.666666667. A's surplus flows to B; D's papers exhaust when D is excluded.
    const race = election(['A', 'B', 'C', 'D'], 2, [
      [50, 'A', 'B'],
      [10, 'B'],
      [21, 'C'],
      [20, 'D'],
    ]);

    // Act
    const result = count('stv-meek', race);

    // Assess
    expect(result.precision).toBe('1e-9');
    expect(result.tolerance).toBe('0.000001');
    const [, settled, exclusion] = result.stages;
    expect(settled).toMatchObject({ elected: [], excluded: [], votes: { A: '33.66666', B: '26.33333' } });
    expect(settled?.keep_values.A).toBe('0.673333334');
    expect(Math.abs(Number(settled?.votes.A) - Number(settled?.quota))).toBeLessThanOrEqual(0.00001 + 0.000001);
    // Held votes fall from 101 to 81, so the quota falls to 81 / 3 and B (33) passes it.
    expect(exclusion).toMatchObject({ excluded: ['D'], elected: ['B'], quota: '27.000000001', non_transferable: '20.00000' });
    expect(result.elected).toEqual(['A', 'B']);
  });
});
