import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { deployments } from './deployments.ts';
import { ScopedNist80053R5Checks } from './nag.ts';
import { acknowledgements, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

it('leaves no unacknowledged cdk-nag (or CloudFormation validation) finding on any stack', () => {
  const findings = synth.report.pluginReports.flatMap((r) => (r.violations ?? []).map((v) => ({ plugin: r.summary?.pluginName, v })));
  expect(findings).toEqual([]);
});

it('gives every acknowledgement a written reason', () => {
  const acks = acknowledgements(synth.app);
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks) expect(ack.reason.trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThan(20);
});

it('would report a finding that nobody acknowledged, so a clean report means something', () => {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moot-nag-control-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new s3.Bucket(new Stack(app, 'Control'), 'Unlogged');
  expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
});

it('holds the government stacks, and only those, to NIST 800-53 rev 5 as well, and the pack reports what nobody acknowledged', () => {
  const government = deployments.filter((d) => d.profile === 'government').map((d) => `Moot-${d.id}-`);
  const nist = acknowledgements(synth.app).filter((a) => a.id.includes('NIST.800.53.R5-'));
  expect(nist.length).toBeGreaterThan(0);
  for (const ack of nist) expect(government.some((prefix) => ack.path.startsWith(prefix)), ack.path).toBe(true);

  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'moot-nist-control-')) });
  const held = new Stack(app, 'Held');
  new s3.Bucket(held, 'Unlogged', { enforceSSL: true });
  new s3.Bucket(new Stack(app, 'NotHeld'), 'Unlogged', { enforceSSL: true });
  Validations.of(app).addPlugins(new ScopedNist80053R5Checks([held]));
  expect(() => app.synth()).toThrow(/NIST\.800\.53\.R5-S3BucketLoggingEnabled/);
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8'));
  const paths = JSON.stringify(report);
  expect(paths).toContain('Held/Unlogged');
  expect(paths).not.toContain('NotHeld/Unlogged');
});
