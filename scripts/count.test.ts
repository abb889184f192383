import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./count.ts', import.meta.url));
const COLDSIDE = fileURLToPath(new URL('../../shared/elections/dundee2022/dundee22_coldside.blt', import.meta.url));

function run(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
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
