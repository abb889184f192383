import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild, prepareFunctionBundles } from '../assets.ts';
import { createMootApp, type MootApp } from '../moot-app.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The feature flags from cdk.json, so in-memory synth matches `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')).context;
}

export interface Synthesized extends MootApp {
  outdir: string;
  templates: Record<string, Template>;
  /** CDK's validation report: where cdk-nag 3 puts every unacknowledged finding. */
  report: { pluginReports: { summary?: { pluginName?: string }; violations?: unknown[] }[] };
}

let once: Promise<Synthesized> | undefined;

/**
 * Bundles, builds the web app if needed and synthesizes the whole app once, as the CLI would.
 * Test files that share a worker (the infra project runs without isolation) share the one synth.
 */
export function synthesize(): Promise<Synthesized> {
  once ??= synthesizeNow();
  return once;
}

async function synthesizeNow(): Promise<Synthesized> {
  const bundles = await prepareFunctionBundles();
  const outdir = mkdtempSync(join(tmpdir(), 'moot-cdk-'));
  const moot = createMootApp({ bundles, webDir: ensureWebBuild(), appProps: { outdir, context: cdkJsonContext() } });
  moot.app.synth();
  const templates: Record<string, Template> = {};
  for (const stack of moot.app.node.children) {
    if (stack instanceof Stack) templates[stack.stackName] = Template.fromStack(stack);
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
  return { ...moot, outdir, templates, report };
}

/** Every acknowledgement recorded anywhere in the tree, with where it was made. */
export function acknowledgements(app: App): { path: string; id: string; reason: string }[] {
  const out: { path: string; id: string; reason: string }[] = [];
  for (const node of app.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      // Recorded as { '<namespace>::<rule id>': reason }.
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: node.node.path, id, reason });
      }
    }
  }
  return out;
}

/** All resources of a type in a template, as plain objects. */
export function resourcesOf(template: Template, type: string): { id: string; Properties: Record<string, any> }[] {
  return Object.entries(template.findResources(type)).map(([id, r]) => ({ id, Properties: (r as any).Properties ?? {} }));
}
