// `cdk synth` of every deployment: how long it takes, how many resources each stack holds, and how
// many cdk-nag findings each pack has acknowledged. Runs alone too:
//   ./node_modules/.bin/node scripts/bench/synth.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ensureWebBuild, prepareFunctionBundles } from '../../infra/assets.ts';
import { type Deployment, deployments } from '../../infra/deployments.ts';
import { createMootApp } from '../../infra/moot-app.ts';
import { acknowledgements, cdkJsonContext } from '../../infra/test-support/synth.ts';

const RUNS = 3;

function synthOnce(bundles: Record<string, { dir: string }>, webDir: string, only?: Deployment[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'moot-bench-synth-'));
  const started = performance.now();
  const moot = createMootApp({ bundles, webDir, deployments: only, appProps: { outdir, context: cdkJsonContext() } });
  moot.app.synth();
  return { ms: performance.now() - started, outdir, app: moot.app };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
/** `Annotation::AwsSolutions-S1` → `AwsSolutions`; `…NIST.800.53.R5-…` → `NIST.800.53.R5`. */
const packOf = (id: string) => {
  const rule = id.replace(/^Annotation::/, '');
  if (rule.startsWith('AwsSolutions-')) return 'AwsSolutions';
  if (rule.startsWith('NIST.800.53.R5-')) return 'NIST.800.53.R5';
  return 'CDK annotations';
};

export async function main(): Promise<void> {
  console.log('## cdk synth');
  let started = performance.now();
  const bundles = await prepareFunctionBundles();
  const webDir = ensureWebBuild();
  console.log(`Lambda bundles (esbuild, ${Object.keys(bundles).length} functions): ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const runs = Array.from({ length: RUNS }, () => synthOnce(bundles, webDir));
  console.log(`Synth, all ${deployments.length} deployments with cdk-nag: median ${(median(runs.map((r) => r.ms)) / 1000).toFixed(1)} s of ${RUNS} (${runs.map((r) => (r.ms / 1000).toFixed(1)).join(', ')})`);
  for (const deployment of deployments) {
    started = performance.now();
    const one = synthOnce(bundles, webDir, [deployment]);
    console.log(`  ${deployment.id} alone: ${(one.ms / 1000).toFixed(1)} s`);
    rmSync(one.outdir, { recursive: true, force: true });
  }

  const { outdir, app } = runs[0]!;
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }> };
  console.log('Resources per stack:');
  let total = 0;
  for (const [name, artifact] of Object.entries(manifest.artifacts).sort(([a], [b]) => a.localeCompare(b))) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const template = JSON.parse(readFileSync(join(outdir, artifact.properties!.templateFile!), 'utf8'));
    const count = Object.keys(template.Resources ?? {}).length;
    total += count;
    console.log(`  ${name.padEnd(24)} ${String(count).padStart(4)}  (${artifact.environment?.replace('aws://', '')})`);
  }
  console.log(`  ${'total'.padEnd(24)} ${String(total).padStart(4)}`);

  const byPack: Record<string, Record<string, number>> = {};
  for (const ack of acknowledgements(app)) {
    const stack = ack.path.split('/')[0]!;
    const deployment = /^Moot-(\w+?)-/.exec(stack)?.[1] ?? stack;
    const pack = packOf(ack.id);
    byPack[pack] ??= {};
    byPack[pack][deployment] = (byPack[pack][deployment] ?? 0) + 1;
  }
  console.log('Acknowledged findings per pack (acknowledgements, by deployment):');
  for (const [pack, counts] of Object.entries(byPack)) {
    const sum = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`  ${pack.padEnd(16)} ${String(sum).padStart(4)}  (${Object.entries(counts).map(([d, n]) => `${d} ${n}`).join(', ')})`);
  }
  for (const run of runs) rmSync(run.outdir, { recursive: true, force: true });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
