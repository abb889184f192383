import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
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
