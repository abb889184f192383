import { describe, expect, it } from 'vitest';
import { preferences } from './ballots.ts';
import { count } from './index.ts';
import { election } from './test-builders.ts';

describe('IRV', () => {
  it('eliminates the lowest each round, tracks exhausted ballots and stops at a majority of continuing ballots', () => {
    // Prepare
    const race = election(['A', 'B', 'C'], 1, [
      [4, 'A'],
      [3, 'B', 'C'],
      [2, 'C'],
      [1, 'C', 'B'],
    ]);

    // Act
    const result = count('irv', race);

    // Assess: round 1 A 4 B 3 C 3 ties B and C with no earlier round, so the lot decides.
    expect(result.rounds[0]).toMatchObject({ votes: { A: '4', B: '3', C: '3' }, exhausted: '0', continuing: '10', elected: [] });
    const out = result.rounds[1]?.eliminated[0];
    expect(result.rounds[1]?.tie_break).toEqual({ among: ['B', 'C'], chosen: out, by: 'lot' });
    if (out === 'B') {
      expect(result.rounds[1]).toMatchObject({ votes: { A: '4', B: '0', C: '6' }, exhausted: '0', elected: ['C'] });
    } else {
      expect(result.rounds[1]).toMatchObject({ votes: { A: '4', B: '4', C: '0' }, exhausted: '2', continuing: '8' });
    }
    expect(result.winner).toBe(result.elected[0]);
  });

  it('eliminates the tied candidate who was lower in the most recent round at which they differed', () => {
    // Prepare: rounds give B 5/7/7 and C 6/6/7, so C goes when they tie in round 3.
    const race = election(['A', 'B', 'C', 'D', 'E'], 1, [
      [9, 'A'],
      [5, 'B'],
      [6, 'C', 'A'],
      [1, 'D', 'C'],
      [2, 'D'],
      [2, 'E', 'B'],
    ]);

    // Act
    const result = count('irv', race);

    // Assess
    expect(result.rounds.map((r) => r.eliminated)).toEqual([[], ['E'], ['D'], ['C']]);
    expect(result.rounds[3]?.tie_break).toEqual({ among: ['B', 'C'], chosen: 'C', by: 'earlier-stage' });
    expect(result.rounds[3]).toMatchObject({ votes: { A: '15', B: '7' }, exhausted: '3', continuing: '22', elected: ['A'] });
    expect(result.winner).toBe('A');
  });

  it('draws the same elimination lot for the same seed and reports the seed', () => {
    // Prepare
    const race = election(['A', 'B', 'C'], 1, [
      [2, 'A'],
      [1, 'B', 'A'],
      [1, 'C', 'A'],
    ]);

    // Act
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => count('irv', race, { seed }));

    // Assess
    expect(runs.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(runs.map((r) => r.rounds[1]?.eliminated[0]))).toEqual(new Set(['B', 'C']));
    expect(count('irv', race, { seed: 3 })).toEqual(runs[2]);
  });

  it('exhausts a ballot at an overvote, ignores skipped ranks and ignores a candidate ranked twice', () => {
    // Prepare
    const race = election(['A', 'B', 'C'], 1, [
      [3, 'A'],
      [2, [], 'B', 'B', 'C'],
      [2, 'C', ['A', 'B'], 'A'],
    ]);

    // Act
    const result = count('irv', race);

    // Assess: B and C tie on 2 and the lot removes one. Either way the skipped rank did not
    // void B's ballots, and C's ballots stop at the overvote instead of reaching A.
    expect(result.rounds[0]).toMatchObject({ votes: { A: '3', B: '2', C: '2' }, exhausted: '0' });
    const out = result.rounds[1]?.eliminated[0];
    expect(result.rounds[1]).toMatchObject(out === 'C' ? { exhausted: '2', votes: { A: '3', B: '2' } } : { exhausted: '0', votes: { A: '3', C: '4' } });
    expect(preferences([[], 1, 1, 2], new Set())).toEqual([1, 2]);
    expect(preferences([2, [0, 1], 0], new Set())).toEqual([2]);
    expect(preferences([2, [0, 1], 0], new Set([1]))).toEqual([2, 0]);
  });
});
