import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { count, parseBlt } from '../shared/elections/index.ts';
import type { Method } from '../shared/elections/index.ts';

const CLI = fileURLToPath(new URL('./count.ts', import.meta.url));
const COLDSIDE = fileURLToPath(new URL('../../shared/elections/dundee2022/dundee22_coldside.blt', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
}

describe('count CLI', () => {
  it('prints the Coldside count as a stage-by-stage table with the elected list', () => {
    // Act
    const { status, stdout, stderr } = run('--method', 'stv-scottish', COLDSIDE);

    // Assess
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('quota 1118');
    expect(stdout).toMatch(/Helen WRIGHT\s+777\.00000\s+785\.90900.*1293\.21457/);
    expect(stdout).toMatch(/Non-transferable\s+0\.00000.*941\.78543/);
    expect(stdout).toContain('Stage 9: excluded Tanya JONES; elected Helen WRIGHT');
    expect(stdout).toContain('Elected: Heather ANDERSON, Mark FLYNN, George MCIRVINE, Helen WRIGHT');
  });

  it('prints the JSON result shape with --json and reports the --seed', () => {
    // Act
    const { status, stdout } = run('--method', 'stv-scottish', '--json', '--seed', '42', COLDSIDE);

    // Assess
    expect(status).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ seats: 4, valid_votes: 5589, quota: '1118', seed: 42 });
    expect(result.stages[8]).toMatchObject({ excluded: ['Tanya JONES'], elected: ['Helen WRIGHT'], non_transferable: '941.78543' });
  });

  it('prints phase timings on stderr with --timings and leaves stdout the same result', () => {
    // Act
    const plain = run('--method', 'stv-scottish', '--json', COLDSIDE);
    const timed = run('--method', 'stv-scottish', '--json', '--timings', COLDSIDE);

    // Assess
    expect(timed.status).toBe(0);
    expect(timed.stdout).toBe(plain.stdout);
    expect(timed.stderr).toMatch(/^timings: read [\d.]+ ms, parse [\d.]+ ms, count [\d.]+ ms, render [\d.]+ ms, total [\d.]+ ms; cpu [\d.]+ ms; peak rss [\d.]+ MB\n$/);
  });

  it.each(['stv-meek', 'irv', 'schulze'])('counts Coldside by %s from the same reader as the library', (method) => {
    // Act
    const { status, stdout } = run('--method', method, '--json', COLDSIDE);

    // Assess
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual(count(method as Method, parseBlt(readFileSync(COLDSIDE))));
  });

  it.each([
    ['a 50 MB quoted name', () => `2 1\n1 1 0\n0\n"${'N'.repeat(50 * 1024 * 1024)}"\n"B"\n"T"\n`, /^count: .*hostile\.blt: line 4: expected a candidate name and party of at most 1000 characters each \(candidate 1 of 2\)$/],
    ['a ballot that repeats a candidate', () => '2 1\n1 1 2 1 0\n0\n"A"\n"B"\n"T"\n', /^count: .*hostile\.blt: line 2: expected a ballot that ranks each candidate at most once \(candidate 1 is repeated\)$/],
    ['binary bytes', () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), /^count: .*hostile\.blt: line 1: expected a header '<candidates> <seats>'$/],
    ['a file cut inside a name', () => '2 1\n1 1 0\n0\n"An', /^count: .*hostile\.blt: line 4: expected a quoted candidate name/],
  ])('answers %s with one line on stderr and exit code 2', (_, contents, message) => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'count-cli-')), 'hostile.blt');
    writeFileSync(file, contents());

    // Act
    const { status, stdout, stderr } = run('--method', 'stv-scottish', file);

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.length).toBeLessThan(300);
    expect(stderr.trimEnd()).toMatch(message);
  });

  it.each([
    ['an unknown method', ['--method', 'borda', COLDSIDE], /^count: unknown method "borda"/],
    ['a missing file', ['--method', 'irv', '/no/such/file.blt'], /^count: cannot read \/no\/such\/file\.blt: ENOENT$/],
    ['a malformed BLT file', ['malformed'], /^count: .*bad\.blt: line 3: expected a ballot line ending in 0$/],
  ])('rejects %s with one line on stderr and exit code 2', (_, args, message) => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'count-cli-'));
    const bad = join(dir, 'bad.blt');
    writeFileSync(bad, '# broken\n2 1\n3 1 2\n0\n"A"\n"B"\n"T"\n');
    const argv = args.map((a) => (a === 'malformed' ? bad : a));

    // Act
    const { status, stdout, stderr } = run(...argv);

    // Assess
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });
});
