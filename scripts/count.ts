// Recount CLI: `npm run count -- --method stv-scottish [--json] [--seed N] [--timings] file.blt`.
// Bad input exits with code 2 and one line on stderr, so scripts can tell it from a crash.
// --timings adds one line on stderr with the time each phase took, so stdout stays the result.
import { readFileSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { parseArgs } from 'node:util';
import type { Method, ResultOf, SequentialMethod } from '../shared/elections/index.ts';

// Stripping the types of the counting modules costs more than counting 100,000 ballots, so a
// recount keeps the compiled modules in Node's compile cache (as Python keeps .pyc files),
// which only works for modules imported after it is enabled.
enableCompileCache();
const { BltError, ElectionError, METHODS, count, countProfile, parseBlt, readBltProfile } = await import('../shared/elections/index.ts');
const { renderResult } = await import('../shared/elections/table.ts');

class UsageError extends Error {}

const USAGE = `usage: npm run count -- --method <${METHODS.join('|')}> [--json] [--seed N] [--timings] <file.blt>`;

interface Options {
  method: Method;
  json: boolean;
  seed: number;
  timings: boolean;
  file: string;
}

function options(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        method: { type: 'string', default: 'stv-scottish' },
        json: { type: 'boolean', default: false },
        seed: { type: 'string' },
        timings: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  const method = values.method as Method;
  if (!METHODS.includes(method)) throw new UsageError(`unknown method "${values.method}"; expected one of ${METHODS.join(', ')}`);
  if (positionals.length !== 1) throw new UsageError(`expected exactly one BLT file; ${USAGE}`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be a whole number, got "${values.seed}"`);
  return { method, json: values.json, seed, timings: values.timings, file: positionals[0] as string };
}

function readBytes(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Times each phase of a recount in milliseconds, in the order they ran. */
class Phases {
  readonly spent: [string, number][] = [];
  private last = performance.now();

  mark(phase: string): void {
    const now = performance.now();
    this.spent.push([phase, now - this.last]);
    this.last = now;
  }

  toString(): string {
    const total = this.spent.reduce((sum, [, ms]) => sum + ms, 0);
    const peak = process.resourceUsage().maxRSS / 1024;
    // CPU of the whole process from its start, start-up included, as a peer CLI would be measured.
    const { user, system } = process.cpuUsage();
    const phases = [...this.spent, ['total', total] as const].map(([phase, ms]) => `${phase} ${ms.toFixed(1)} ms`).join(', ');
    return `timings: ${phases}; cpu ${((user + system) / 1000).toFixed(1)} ms; peak rss ${peak.toFixed(1)} MB`;
  }
}

/** Reads and counts: Schulze needs every ballot's ties, the sequential methods only merged preferences. */
function recount({ method, seed, file }: Options, phases: Phases): { title: string; result: ResultOf[Method] } {
  const bytes = readBytes(file);
  phases.mark('read');
  if (method === 'schulze') {
    const election = parseBlt(bytes);
    phases.mark('parse');
    const result = count(method, election, { seed });
    phases.mark('count');
    return { title: election.title, result };
  }
  const { title, profile } = readBltProfile(bytes);
  phases.mark('parse');
  const result = countProfile(method as SequentialMethod, profile, { seed });
  phases.mark('count');
  return { title, result };
}

function main(argv: string[]): number {
  let source = '';
  try {
    const opts = options(argv);
    source = opts.file;
    const phases = new Phases();
    const { title, result } = recount(opts, phases);
    const output = `${opts.json ? JSON.stringify(result, null, 1) : `${title}\n${renderResult(result)}`}\n`;
    phases.mark('render');
    process.stdout.write(output);
    if (opts.timings) process.stderr.write(`${phases}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BltError) process.stderr.write(`count: ${source}: ${error.message}\n`);
    else if (error instanceof UsageError || error instanceof ElectionError) process.stderr.write(`count: ${error.message}\n`);
    else throw error;
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
