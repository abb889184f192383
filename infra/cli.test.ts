import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { deployments, stackName } from './deployments.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

it('lists every deployment’s stacks through the real cdk CLI, offline', async () => {
  const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/cdk'), ['ls', '--no-notices', '--output', mkdtempSync(join(tmpdir(), 'moot-cli-'))], {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      // No credentials: synth must not need an AWS call.
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    },
    timeout: 240_000,
  });
  const listed = stdout.trim().split('\n').map((line) => line.trim());
  const expected = deployments.flatMap((d) => [
    stackName(d, 'Stateful'),
    stackName(d, 'Stateless'),
    stackName(d, 'Edge'),
    ...(d.backupCopyRegion ? [stackName(d, 'BackupCopy')] : []),
    ...(d.mailRegion && d.mailRegion !== d.region ? [stackName(d, 'Mail')] : []),
  ]);
  expect(listed.filter((name) => /-(Stateful|Stateless)$/.test(name))).toHaveLength(8);
  expect(listed.sort()).toEqual(expected.sort());
});

it('keeps every stack well under CloudFormation\'s 500-resource limit', async () => {
  const { synthesize } = await import('./test-support/synth.ts');
  const synth = await synthesize();
  for (const [name, template] of Object.entries(synth.templates)) {
    expect(Object.keys(template.toJSON().Resources).length, name).toBeLessThan(450);
  }
});
