// Election counting benchmark: `node scripts/bench/elections.ts`. Prints plain lines, asserts nothing.
// Ballots are generated from a fixed seed and aggregated into weighted lines, as a BLT file holds them.
import { pathToFileURL } from 'node:url';
import { count } from '../../shared/elections/index.ts';
import type { Election, Method } from '../../shared/elections/index.ts';
import { Lot } from '../../shared/elections/lot.ts';

interface Case {
  method: Method;
  ballots: number;
  candidates: number;
  seats: number;
  maxRanks: number;
}

const CASES: Case[] = [
  { method: 'stv-scottish', ballots: 100_000, candidates: 15, seats: 4, maxRanks: 15 },
  { method: 'irv', ballots: 1_000_000, candidates: 10, seats: 1, maxRanks: 5 },
  { method: 'schulze', ballots: 100_000, candidates: 30, seats: 1, maxRanks: 10 },
];

/** Seeded ballots with uneven candidate popularity, so counts have real surpluses and exclusions. */
function generate({ ballots, candidates, seats, maxRanks }: Case, lot: Lot): Election {
  // Plackett–Luce rankings: candidate c has popularity (c + 1)², sampled by exponential keys.
  const popularity = Array.from({ length: candidates }, (_, c) => (c + 1) ** 2);
  const lengths = Array.from({ length: maxRanks }, (_, i) => i + 1);
  const order = popularity.map((_, c) => c);
  const keys = new Float64Array(candidates);
  const weights = new Map<string, number>();
  for (let b = 0; b < ballots; b += 1) {
    const length = lot.draw(lengths);
    for (let c = 0; c < candidates; c += 1) keys[c] = -Math.log(1 - lot.unit()) / (popularity[c] as number);
    order.sort((x, y) => (keys[x] as number) - (keys[y] as number));
    const key = order.slice(0, length).join(' ');
    weights.set(key, (weights.get(key) ?? 0) + 1);
  }
  return {
    title: 'benchmark',
    seats,
    withdrawn: [],
    candidates: Array.from({ length: candidates }, (_, c) => ({ name: `Candidate ${c + 1}` })),
    ballots: [...weights].map(([key, weight]) => ({ weight, ranks: key.split(' ').map(Number) })),
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** Runs every case and prints one line each: generation and count time, heap growth and peak RSS. */
export async function main(): Promise<void> {
  for (const benchCase of CASES) {
    const started = performance.now();
    const election = generate(benchCase, new Lot(2022));
    const generated = performance.now();
    const heapBefore = process.memoryUsage().heapUsed;
    const result = count(benchCase.method, election, { seed: 1 });
    const counted = performance.now();
    const heapAfter = process.memoryUsage().heapUsed;
    console.log(
      [
        `${benchCase.method}: ${benchCase.ballots} ballots (${election.ballots.length} distinct), ${benchCase.candidates} candidates, ${benchCase.seats} seats`,
        `generate ${(generated - started).toFixed(0)} ms`,
        `count ${(counted - generated).toFixed(0)} ms`,
        `heapUsed delta ${mb(heapAfter - heapBefore)}`,
        `rss ${mb(process.memoryUsage().rss)}`,
        `peak rss ${mb(process.resourceUsage().maxRSS * 1024)}`,
        `elected ${result.elected.join(', ')}`,
      ].join('  '),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
