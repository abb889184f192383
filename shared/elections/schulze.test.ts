import { describe, expect, it } from 'vitest';
import { count } from './index.ts';
import { election } from './test-builders.ts';

describe('Schulze', () => {
  it('reproduces the 45-voter example from Schulze (2011): matrix, strongest paths and E > A > C > B > D', () => {
    // Prepare
    const example = election(['A', 'B', 'C', 'D', 'E'], 1, [
      [5, 'A', 'C', 'B', 'E', 'D'],
      [5, 'A', 'D', 'E', 'C', 'B'],
      [8, 'B', 'E', 'D', 'A', 'C'],
      [3, 'C', 'A', 'B', 'E', 'D'],
      [7, 'C', 'A', 'E', 'B', 'D'],
      [2, 'C', 'B', 'A', 'D', 'E'],
      [7, 'D', 'C', 'E', 'B', 'A'],
      [8, 'E', 'B', 'A', 'D', 'C'],
    ]);

    // Act
    const result = count('schulze', example);

    // Assess
    expect(result.d).toEqual([
      [0, 20, 26, 30, 22],
      [25, 0, 16, 33, 18],
      [19, 29, 0, 17, 24],
      [15, 12, 28, 0, 14],
      [23, 27, 21, 31, 0],
    ]);
    expect(result.p).toEqual([
      [0, 28, 28, 30, 24],
      [25, 0, 28, 33, 24],
      [25, 29, 0, 29, 24],
      [25, 28, 28, 0, 24],
      [25, 28, 28, 31, 0],
    ]);
    expect(result.condorcet_winner).toBeNull();
    expect(result.ranking).toEqual([['E'], ['A'], ['C'], ['B'], ['D']]);
    expect(result.winner).toBe('E');
    expect(result.valid_votes).toBe(45);
  });

  it('elects the Condorcet winner and ranks unranked candidates below ranked ones', () => {
    // Prepare
    const race = election(['A', 'B', 'C'], 1, [
      [4, 'A'],
      [3, 'B', 'C'],
      [2, 'C', 'B'],
    ]);

    // Act
    const result = count('schulze', race);

    // Assess: B beats A 5–4 and C 3–2 (A’s voters leave B and C unranked, so tied); C beats A 5–4.
    expect(result.d).toEqual([
      [0, 4, 4],
      [5, 0, 3],
      [5, 2, 0],
    ]);
    expect(result.condorcet_winner).toBe('B');
    expect(result.winner).toBe('B');
    expect(result.ranking).toEqual([['B'], ['C'], ['A']]);
  });

  it('reads several candidates at one rank as a tie between them', () => {
    // Prepare
    const race = election(['A', 'B', 'C'], 1, [[1, ['A', 'B'], 'C']]);

    // Act
    const result = count('schulze', race);

    // Assess
    expect(result.d).toEqual([
      [0, 0, 1],
      [0, 0, 1],
      [0, 0, 0],
    ]);
    expect(result.ranking).toEqual([['A', 'B'], ['C']]);
  });

  it('puts a perfect cycle in one tier and picks the winner by the seeded lot, reproducibly', () => {
    // Prepare
    const cycle = election(['A', 'B', 'C'], 1, [
      [1, 'A', 'B', 'C'],
      [1, 'B', 'C', 'A'],
      [1, 'C', 'A', 'B'],
    ]);

    // Act
    const runs = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => count('schulze', cycle, { seed }));

    // Assess
    for (const run of runs) {
      expect(run.ranking).toEqual([['A', 'B', 'C']]);
      expect(run.condorcet_winner).toBeNull();
      expect(run.tie_break).toEqual({ among: ['A', 'B', 'C'], chosen: run.winner, by: 'lot' });
    }
    expect(new Set(runs.map((r) => r.winner)).size).toBeGreaterThan(1);
    expect(count('schulze', cycle, { seed: 4 })).toEqual(runs[3]);
  });
});
