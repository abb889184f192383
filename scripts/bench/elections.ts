// Election counting benchmark: `npm run bench -- elections`. Prints plain lines, asserts nothing.
//
// Scottish STV against droop (github:jklundell/droop, rule `scotland`) on the same BLT files of
// 100,000 and 1,000,000 generated ballots, 15 candidates and 4 seats, one line per ballot as a
// returning officer's export holds them. Both run as their command-line tools in a child process
// and report their own CPU time (user + system, start-up included) and peak RSS; each size runs
// in interleaved pairs and prints the median of the per-pair ratios. Set DROOP_DIR to a checkout
// of droop to include it; without it only Moot's figures are printed.
// Then IRV and Schulze in-process on generated weighted ballots.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { count } from '../../shared/elections/index.ts';
import type { Election, Method } from '../../shared/elections/index.ts';
import { Lot } from '../../shared/elections/lot.ts';

const COUNT_CLI = fileURLToPath(new URL('../count.ts', import.meta.url));
const CANDIDATES = 15;
const SEATS = 4;
/** Pairs per size: droop takes about 3 s at 100,000 ballots and 30 s at 1,000,000 on 2 cores. The memory target is at 1,000,000. */
const SIZES = [
  { ballots: 100_000, pairs: 5, memoryTarget: false },
  { ballots: 1_000_000, pairs: 3, memoryTarget: true },
];

interface Case {
  method: Method;
  ballots: number;
  candidates: number;
  seats: number;
  maxRanks: number;
}

const IN_PROCESS: Case[] = [
  { method: 'irv', ballots: 1_000_000, candidates: 10, seats: 1, maxRanks: 5 },
  { method: 'schulze', ballots: 100_000, candidates: 30, seats: 1, maxRanks: 10 },
];

/**
 * Seeded rankings with uneven candidate popularity, so counts have real surpluses and
 * exclusions: Plackett–Luce, candidate c with popularity (c + 1)², sampled by exponential keys.
 */
function* rankings(ballots: number, candidates: number, maxRanks: number, lot: Lot): Generator<number[]> {
  const popularity = Array.from({ length: candidates }, (_, c) => (c + 1) ** 2);
  const lengths = Array.from({ length: maxRanks }, (_, i) => i + 1);
  const order = popularity.map((_, c) => c);
  const keys = new Float64Array(candidates);
  for (let b = 0; b < ballots; b += 1) {
    const length = lot.draw(lengths);
    for (let c = 0; c < candidates; c += 1) keys[c] = -Math.log(1 - lot.unit()) / (popularity[c] as number);
    order.sort((x, y) => (keys[x] as number) - (keys[y] as number));
    yield order.slice(0, length);
  }
}

/** The same BLT file every run (seeded), written once per machine and reused. */
function bltFile(ballots: number): string {
  const dir = join(tmpdir(), 'moot-bench-elections');
  const file = join(dir, `scottish-${ballots}-${CANDIDATES}c-${SEATS}s-v1.blt`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  const lines = [`${CANDIDATES} ${SEATS}`];
  for (const ranking of rankings(ballots, CANDIDATES, CANDIDATES, new Lot(2022))) lines.push(`1 ${ranking.map((c) => c + 1).join(' ')} 0`);
  lines.push('0', ...Array.from({ length: CANDIDATES }, (_, c) => `"Candidate ${c + 1}"`), '"Benchmark election"');
  writeFileSync(`${file}.partial`, `${lines.join('\n')}\n`);
  renameSync(`${file}.partial`, file);
  return file;
}

interface Run {
  cpuMs: number;
  peakMb: number;
  elected: string[];
}

function moot(file: string): Run {
  const child = spawnSync(process.execPath, [COUNT_CLI, '--method', 'stv-scottish', '--timings', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (child.status !== 0) throw new Error(`count failed: ${child.stderr}`);
  const timings = /cpu ([\d.]+) ms; peak rss ([\d.]+) MB/.exec(child.stderr);
  if (!timings) throw new Error(`count printed no timings: ${child.stderr}`);
  const elected = /^Elected: (.*)$/m.exec(child.stdout)?.[1]?.split(', ') ?? [];
  return { cpuMs: Number(timings[1]), peakMb: Number(timings[2]), elected };
}

// Runs Droop.py as its own __main__ and reports the interpreter's rusage, start-up included.
const DROOP_RUNNER = `
import json, resource, runpy, sys
droop, path = sys.argv[1], sys.argv[2]
sys.path.insert(0, droop)
sys.argv = [droop + '/Droop.py', 'scotland', path]
try:
    runpy.run_path(droop + '/Droop.py', run_name='__main__')
finally:
    r = resource.getrusage(resource.RUSAGE_SELF)
    sys.stderr.write('rusage ' + json.dumps({'cpu_ms': (r.ru_utime + r.ru_stime) * 1000, 'max_rss_kb': r.ru_maxrss}) + '\\n')
`;

function droop(dir: string, file: string): Run {
  const child = spawnSync('python3', ['-c', DROOP_RUNNER, dir, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const usage = /^rusage (.*)$/m.exec(child.stderr);
  if (child.status !== 0 || !usage) throw new Error(`droop failed: ${child.stderr.slice(0, 500)}`);
  const { cpu_ms, max_rss_kb } = JSON.parse(usage[1] as string) as { cpu_ms: number; max_rss_kb: number };
  // droop prints the elected in its final summary, one "Elected:" line each.
  const summary = child.stdout.slice(child.stdout.lastIndexOf('Action: Count Complete'));
  const elected = [...summary.matchAll(/^\s*Elected:\s+(.*?) \(/gm)].map((m) => m[1] as string);
  return { cpuMs: cpu_ms, peakMb: max_rss_kb / 1024, elected };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function againstDroop(): Promise<void> {
  const dir = process.env.DROOP_DIR;
  const withDroop = dir !== undefined && existsSync(join(dir, 'Droop.py'));
  if (!withDroop) {
    console.log(`droop: not run (${dir === undefined ? 'DROOP_DIR is not set' : `no Droop.py in DROOP_DIR=${dir}`}); set DROOP_DIR to a checkout of github:jklundell/droop for the side-by-side figures`);
  }
  for (const { ballots, pairs, memoryTarget } of SIZES) {
    const file = bltFile(ballots);
    // One unmeasured run each fills Python's .pyc and Node's compile cache, as a second recount would find them.
    moot(file);
    if (withDroop && ballots === SIZES[0]?.ballots) droop(dir, file);
    const ours: Run[] = [];
    const theirs: Run[] = [];
    for (let pair = 0; pair < pairs; pair += 1) {
      // Alternate who goes first, so neither always runs on a machine the other just warmed.
      if (withDroop && pair % 2 === 1) theirs.push(droop(dir, file));
      ours.push(moot(file));
      if (withDroop && pair % 2 === 0) theirs.push(droop(dir, file));
    }
    const label = `stv-scottish ${ballots.toLocaleString('en')} ballots, ${CANDIDATES} candidates, ${SEATS} seats (${pairs} pairs)`;
    const moots = `Moot cpu ${median(ours.map((r) => r.cpuMs)).toFixed(0)} ms, peak rss ${median(ours.map((r) => r.peakMb)).toFixed(1)} MB`;
    if (!withDroop) {
      console.log(`${label}: ${moots}`);
      continue;
    }
    const cpuRatio = median(ours.map((r, i) => (theirs[i] as Run).cpuMs / r.cpuMs));
    const memoryRatio = median(ours.map((r, i) => r.peakMb / (theirs[i] as Run).peakMb));
    // droop lists the elected in its own order, so compare them as sets.
    const key = (r: Run) => [...r.elected].sort().join(', ');
    const same = [...ours, ...theirs].every((r) => key(r) === key(ours[0] as Run));
    console.log(
      [
        `${label}: ${moots}; droop cpu ${median(theirs.map((r) => r.cpuMs)).toFixed(0)} ms, peak rss ${median(theirs.map((r) => r.peakMb)).toFixed(1)} MB`,
        `Moot is ${cpuRatio.toFixed(1)}× faster in CPU (target ≥ 10×), peak memory ${memoryRatio.toFixed(2)}× droop's${memoryTarget ? ' (target ≤ 1×)' : ''}`,
        same ? `same elected: ${ours[0]?.elected.join(', ')}` : `ELECTED DIFFER: Moot ${ours[0]?.elected.join(', ')}; droop ${theirs[0]?.elected.join(', ')}`,
      ].join('  '),
    );
  }
}

function weighted({ ballots, candidates, seats, maxRanks }: Case, lot: Lot): Election {
  const weights = new Map<string, number>();
  for (const ranking of rankings(ballots, candidates, maxRanks, lot)) {
    const key = ranking.join(' ');
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

/** Runs every case and prints one line each: generation and count time, heap growth and peak RSS. */
export async function main(): Promise<void> {
  console.log('## Elections');
  await againstDroop();
  for (const benchCase of IN_PROCESS) {
    const started = performance.now();
    const election = weighted(benchCase, new Lot(2022));
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
        `peak rss ${mb(process.resourceUsage().maxRSS * 1024)}`,
        `elected ${result.elected.join(', ')}`,
      ].join('  '),
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
