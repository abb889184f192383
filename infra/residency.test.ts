import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Deployment, deployments } from './deployments.ts';
import { GLOBAL_SERVICES, outOfRegionPaths } from './residency.ts';
import { type AssemblyStack, intrinsicsOf, readAssembly, stringsOf, transitiveDependencies } from './test-support/assembly.ts';
import { synthesize } from './test-support/synth.ts';

// Residency, proved from the cloud assembly `cdk deploy` would use: every stack, template string,
// cross-stack reference and asset destination of a deployment stays in its account and region,
// apart from what infra/residency.ts allows, which the README's "Where data lives" states.

let assembly: AssemblyStack[];
beforeAll(async () => {
  assembly = readAssembly((await synthesize()).outdir);
});

const REGION = /\b(?:us|eu|ap|sa|ca|me|af|il|mx|cn)-(?:gov-)?(?:north|south|east|west|central|northeast|southeast|northwest|southwest)-\d\b/g;
const ARN = /arn:(?:aws|aws-cn|aws-us-gov|<AWS-Partition>):([a-z0-9-]+):([^:]*):([^:]*):/g;
const ACCOUNT = /(?<![\w-])\d{12}(?![\w-])/g;

/** Everything in one stack that names a place outside the deployment's own, unless allowed. */
function residencyFindings(stack: AssemblyStack, all: AssemblyStack[]): string[] {
  const { deployment } = stack;
  const allowed = outOfRegionPaths(deployment);
  const findings: string[] = [];
  const homeOf = (region: string) => region === deployment.region;

  if (stack.account !== deployment.account) findings.push(`${stack.name} deploys to account ${stack.account}`);
  if (!homeOf(stack.region) && !allowed.some((p) => p.region === stack.region && p.stacks.includes(stack.kind))) {
    findings.push(`${stack.name} deploys to ${stack.region}`);
  }
  const regionOk = (region: string, service?: string, where?: string) =>
    region === '<AWS-Region>' || homeOf(region) || region === stack.region ||
    allowed.some((p) => p.region === region && ((service && p.arnServices.includes(service)) || (where && p.literalAt.some((at) => where.endsWith(at)))));

  for (const [id, resource] of Object.entries(stack.template.Resources)) {
    for (const { path, text: raw } of stringsOf(resource.Properties ?? {})) {
      // Pseudo parameters as one token each, so an ARN's fields split on their colons only.
      const text = raw.replace(/<AWS::(\w+)>|\$\{AWS::(\w+)\}/g, (_, a, b) => `<AWS-${a ?? b}>`);
      const where = `${resource.Type}.${path}`;
      const at = `${stack.name} ${id} ${path}`;
      for (const [, service, region, account] of text.matchAll(ARN)) {
        if (region === '' && !(GLOBAL_SERVICES as readonly string[]).includes(service!) && service !== 's3') findings.push(`${at}: a ${service} ARN with no region`);
        if (region !== '' && !regionOk(region!, service)) findings.push(`${at}: a ${service} ARN in ${region}`);
        if (!['', 'aws', '<AWS-AccountId>', deployment.account].includes(account!)) findings.push(`${at}: a ${service} ARN in account ${account}`);
      }
      // A cross-stack reference's region is checked below, against where that stack really is.
      if (path.endsWith('Fn::GetStackOutput.Region')) continue;
      for (const [region] of text.replace(ARN, '').matchAll(REGION)) {
        if (!regionOk(region, undefined, where)) findings.push(`${at}: names ${region}`);
      }
      for (const [account] of text.matchAll(ACCOUNT)) {
        if (account !== deployment.account) findings.push(`${at}: names account ${account}`);
      }
    }
  }

  for (const ref of intrinsicsOf<{ StackName: string; Region: string }>(stack.template, 'Fn::GetStackOutput')) {
    const producer = all.find((s) => s.name === ref.StackName);
    if (!producer || producer.deployment !== deployment) findings.push(`${stack.name} reads outputs of ${ref.StackName}, not a stack of ${deployment.id}`);
    else if (producer.region !== ref.Region) findings.push(`${stack.name} reads ${ref.StackName} in ${ref.Region}, where it is not`);
    else if (!transitiveDependencies(all, stack.name).has(producer.name)) findings.push(`${stack.name} reads ${ref.StackName} but is not deployed after it`);
  }
  for (const name of intrinsicsOf<unknown>(stack.template, 'Fn::ImportValue')) {
    if (typeof name !== 'string' || !name.startsWith(`Moot-${deployment.id}-`)) findings.push(`${stack.name} imports ${JSON.stringify(name)}`);
  }

  for (const asset of stack.assetDestinations) {
    if (asset.region !== stack.region) findings.push(`${stack.name} publishes asset ${asset.id} to ${asset.region}`);
    if (asset.account && !['${AWS::AccountId}', deployment.account].includes(asset.account)) findings.push(`${stack.name} publishes asset ${asset.id} to account ${asset.account}`);
  }
  return findings;
}

/** Replication and export features that would copy data out, whatever region they name. */
function replicationFindings(stack: AssemblyStack): string[] {
  const findings: string[] = [];
  for (const [id, { Type, Properties = {} }] of Object.entries(stack.template.Resources)) {
    const at = `${stack.name} ${id}`;
    if (['AWS::DynamoDB::GlobalTable', 'AWS::Oam::Link', 'AWS::Logs::Destination', 'AWS::DMS::ReplicationTask'].includes(Type)) findings.push(`${at}: ${Type}`);
    if (Type === 'AWS::DynamoDB::Table' && Properties.Replicas) findings.push(`${at}: table replicas`);
    if (Type === 'AWS::S3::Bucket' && Properties.ReplicationConfiguration) findings.push(`${at}: bucket replication`);
    if (Type === 'AWS::KMS::Key' && Properties.MultiRegion) findings.push(`${at}: a multi-Region key`);
    if (Type === 'AWS::SecretsManager::Secret' && Properties.ReplicaRegions) findings.push(`${at}: secret replicas`);
    if (Type === 'AWS::ECR::ReplicationConfiguration') findings.push(`${at}: image replication`);
  }
  return findings;
}

describe.each(deployments)('the $id deployment', (deployment: Deployment) => {
  const mine = () => assembly.filter((s) => s.deployment === deployment);

  it('has its stateful and stateless stacks in its own account and region', () => {
    for (const kind of ['Stateful', 'Stateless'] as const) {
      const stack = mine().find((s) => s.kind === kind)!;
      expect({ account: stack.account, region: stack.region }).toEqual({ account: deployment.account, region: deployment.region });
    }
  });

  it('names no account, region or stack outside its own anywhere in the assembly, except what "Where data lives" allows', () => {
    expect(mine().flatMap((stack) => residencyFindings(stack, assembly))).toEqual([]);
  });

  it('replicates nothing and exports no log or data stream elsewhere', () => {
    expect(mine().flatMap(replicationFindings)).toEqual([]);
  });

  it('deploys each stack after every stack whose resources it uses, so a first cdk deploy --all succeeds in order', () => {
    // Names (topics, tables, buckets, queues, secrets, SES sets) one stack creates and another uses by ARN or name.
    const named = (stack: AssemblyStack) =>
      Object.values(stack.template.Resources).flatMap(({ Type, Properties = {} }) => {
        const key = { 'AWS::SNS::Topic': 'TopicName', 'AWS::DynamoDB::Table': 'TableName', 'AWS::S3::Bucket': 'BucketName', 'AWS::SQS::Queue': 'QueueName', 'AWS::SES::ConfigurationSet': 'Name', 'AWS::SecretsManager::Secret': 'Name', 'AWS::Backup::BackupVault': 'BackupVaultName' }[Type];
        const name = key ? Properties[key] : undefined;
        return typeof name === 'string' ? [name] : [];
      });
    for (const consumer of mine()) {
      const before = transitiveDependencies(assembly, consumer.name);
      const texts = stringsOf(consumer.template.Resources).map((s) => s.text);
      for (const producer of mine().filter((s) => s !== consumer)) {
        for (const name of named(producer)) {
          const uses = texts.some((t) => t.endsWith(`:${name}`) || t.endsWith(`/${name}`) || t.includes(`:${name}/`));
          if (uses) expect(before.has(producer.name), `${consumer.name} uses ${name} from ${producer.name}`).toBe(true);
        }
      }
    }
    // And the order exists: no stack waits on itself.
    for (const stack of mine()) expect(transitiveDependencies(assembly, stack.name).has(stack.name), stack.name).toBe(false);
  });
});

describe('the allow-list', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = /## Where data lives\n([\s\S]*?)(?=\n## )/.exec(readme)?.[1] ?? '';

  it('is stated in the README, each service with the regions it reaches', () => {
    expect(section.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      for (const path of outOfRegionPaths(deployment)) {
        expect(section, path.service).toContain(path.service);
        expect(section, `${path.service} in ${path.region}`).toContain(path.region);
      }
    }
  });

  it('names only real stacks in the README deploy commands, each after the stacks it depends on', () => {
    const commands = [...readme.matchAll(/npx cdk deploy ([^\n#]+)/g)].map(([, stacks]) => stacks!.trim().split(/\s+/));
    expect(commands.length).toBeGreaterThan(0);
    for (const stacks of commands) {
      for (const [i, name] of stacks.entries()) {
        expect(assembly.map((s) => s.name), name).toContain(name);
        for (const later of stacks.slice(i + 1)) expect(transitiveDependencies(assembly, name).has(later), `${name} before ${later}`).toBe(false);
      }
      // Everything the last one needs is in the command.
      const deployment = assembly.find((s) => s.name === stacks[0])!.deployment;
      expect([...stacks].sort()).toEqual(assembly.filter((s) => s.deployment === deployment).map((s) => s.name).sort());
    }
  });

  it('catches what it does not allow: a Sydney ARN, a foreign account and a replica in a stack of the US deployment', () => {
    const us = deployments.find((d) => d.id === 'Us')!;
    const stack: AssemblyStack = {
      name: 'Moot-Us-Stateless', deployment: us, kind: 'Stateless', account: us.account, region: us.region, dependsOn: [], assetDestinations: [{ id: 'code', region: 'eu-west-1' }],
      template: {
        Resources: {
          Policy: { Type: 'AWS::IAM::Policy', Properties: { Resource: 'arn:aws:sqs:ap-southeast-2:111111111111:q', Other: 'arn:aws:s3:::x', Peer: 'arn:aws:sns:us-east-1:999999999999:t' } },
          Env: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { SES_REGION: 'eu-west-1' } } } },
          Table: { Type: 'AWS::DynamoDB::Table', Properties: { Replicas: [{ Region: 'us-west-2' }] } },
        },
      },
    };
    const findings = residencyFindings(stack, [stack]);
    expect(findings).toEqual(expect.arrayContaining([
      expect.stringContaining('a sqs ARN in ap-southeast-2'),
      expect.stringContaining('account 999999999999'),
      expect.stringContaining('names eu-west-1'),
      expect.stringContaining('publishes asset code to eu-west-1'),
      expect.stringContaining('names us-west-2'),
    ]));
    expect(replicationFindings(stack)).toEqual([expect.stringContaining('table replicas')]);
  });
});
