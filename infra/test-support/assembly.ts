import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Deployment, deployments, type StackKind } from '../deployments.ts';
import { flattenReference } from '../nag.ts';

/** One stack as the cloud assembly (cdk.out) records it: what `cdk deploy` would deploy. */
export interface AssemblyStack {
  name: string;
  deployment: Deployment;
  kind: StackKind;
  account: string;
  region: string;
  /** Stacks (by name) that must be deployed before this one. */
  dependsOn: string[];
  template: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>; [key: string]: unknown };
  /** Where `cdk deploy` publishes this stack's assets (template, Lambda code, web build). */
  assetDestinations: { id: string; account?: string; region?: string; bucketName?: string }[];
}

interface Manifest {
  artifacts: Record<string, { type: string; environment?: string; dependencies?: string[]; properties?: { templateFile?: string; file?: string } }>;
}

/** Every stack of the assembly in `outdir`, read from its manifest, templates and asset manifests. */
export function readAssembly(outdir: string): AssemblyStack[] {
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  const stacks: AssemblyStack[] = [];
  for (const [name, artifact] of Object.entries(manifest.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const [, id, kind] = /^Moot-(\w+?)-(\w+)$/.exec(name) ?? [];
    const deployment = deployments.find((d) => d.id === id);
    if (!deployment) throw new Error(`Stack ${name} belongs to no deployment`);
    const [, account, region] = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(artifact.environment ?? '') ?? [];
    const dependencies = artifact.dependencies ?? [];
    const assetDestinations = dependencies
      .filter((dep) => manifest.artifacts[dep]?.type === 'cdk:asset-manifest')
      .flatMap((dep) => {
        const assets = JSON.parse(readFileSync(join(outdir, manifest.artifacts[dep]!.properties!.file!), 'utf8'));
        return [...Object.entries(assets.files ?? {}), ...Object.entries(assets.dockerImages ?? {})].flatMap(([id, asset]) =>
          Object.values((asset as { destinations: Record<string, { account?: string; region?: string; bucketName?: string }> }).destinations).map((d) => ({ id, ...d })),
        );
      });
    stacks.push({
      name,
      deployment,
      kind: kind as StackKind,
      account: account!,
      region: region!,
      dependsOn: dependencies.filter((dep) => manifest.artifacts[dep]?.type === 'aws:cloudformation:stack'),
      template: JSON.parse(readFileSync(join(outdir, artifact.properties!.templateFile!), 'utf8')),
      assetDestinations,
    });
  }
  return stacks;
}

/** Every string in a template with the path it sits at; `Fn::Join`s are flattened to one string. */
export function stringsOf(value: unknown, path: string[] = []): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path: path.join('.'), text: value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsOf(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if (node['Fn::Join']) return [{ path: path.join('.'), text: flattenReference(node) }];
    return Object.entries(node).flatMap(([k, v]) => stringsOf(v, [...path, k]));
  }
  return [];
}

/** Every object under `value` that holds `key` (e.g. `Fn::GetStackOutput`), as its value. */
export function intrinsicsOf<T>(value: unknown, key: string): T[] {
  const found: T[] = [];
  JSON.stringify(value, (k, v) => {
    if (k === key) found.push(v as T);
    return v;
  });
  return found;
}

/** The stacks `name` depends on, directly or through others. */
export function transitiveDependencies(stacks: AssemblyStack[], name: string, seen = new Set<string>()): Set<string> {
  for (const dep of stacks.find((s) => s.name === name)?.dependsOn ?? []) {
    if (seen.has(dep)) continue;
    seen.add(dep);
    transitiveDependencies(stacks, dep, seen);
  }
  return seen;
}
