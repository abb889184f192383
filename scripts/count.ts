// Recount CLI: `npm run count -- --method stv-scottish [--json] [--seed N] file.blt`.
// Bad input exits with code 2 and one line on stderr, so scripts can tell it from a crash.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BltError, ElectionError, METHODS, count, parseBlt } from '../shared/elections/index.ts';
import type { Method } from '../shared/elections/index.ts';
import { renderResult } from '../shared/elections/table.ts';

class UsageError extends Error {}

const USAGE = `usage: npm run count -- --method <${METHODS.join('|')}> [--json] [--seed N] <file.blt>`;

function options(argv: string[]): { method: Method; json: boolean; seed: number; file: string } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { method: { type: 'string', default: 'stv-scottish' }, json: { type: 'boolean', default: false }, seed: { type: 'string' } },
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
  return { method, json: values.json, seed, file: positionals[0] as string };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function main(argv: string[]): number {
  let source = '';
  try {
    const { method, json, seed, file } = options(argv);
    source = file;
    const election = parseBlt(readText(file));
    const result = count(method, election, { seed });
    process.stdout.write(`${json ? JSON.stringify(result, null, 1) : `${election.title}\n${renderResult(result)}`}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BltError) process.stderr.write(`count: ${source}: ${error.message}\n`);
    else if (error instanceof UsageError || error instanceof ElectionError) process.stderr.write(`count: ${error.message}\n`);
    else throw error;
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
