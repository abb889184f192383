import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { BACKUP_ROLE_POLICIES } from './constructs/backups.ts';
import { deployments, physicalNames, profileSettings, stackName } from './deployments.ts';
import { BACKUP_EXCLUDED } from './stateful-stack.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

/** Which jurisdiction (for data protection law) each region Moot uses is in. */
const JURISDICTION: Record<string, string> = {
  'us-east-1': 'US', 'us-east-2': 'US', 'us-west-2': 'US',
  'eu-central-1': 'EU', 'eu-west-1': 'EU', 'eu-north-1': 'EU',
  'ap-southeast-2': 'AU', 'ap-southeast-4': 'AU',
  'ap-southeast-6': 'NZ',
};

describe.each(deployments)('the $id deployment', (deployment) => {
  const stateful = () => synth.templates[stackName(deployment, 'Stateful')]!;
  const settings = profileSettings(deployment.profile).backup;
  const plan = () => resourcesOf(stateful(), 'AWS::Backup::BackupPlan')[0]!.Properties.BackupPlan;

  it(`backs up daily (kept ${settings.dailyDays} days) and monthly (kept ${settings.monthlyDays} days)`, () => {
    const rules = Object.fromEntries(plan().BackupPlanRule.map((r: any) => [r.RuleName, r]));
    expect(Object.keys(rules).sort()).toEqual(['daily', 'monthly']);
    expect(rules.daily.ScheduleExpression).toBe('cron(0 3 * * ? *)');
    expect(rules.daily.Lifecycle.DeleteAfterDays).toBe(35);
    expect(rules.monthly.ScheduleExpression).toBe('cron(0 4 1 * ? *)');
    expect(rules.monthly.Lifecycle.DeleteAfterDays).toBe(365);
  });

  it('selects every table and bucket of its stateful stack, the anonymous ballot table included, apart from those excluded with a reason', () => {
    const [selection] = resourcesOf(stateful(), 'AWS::Backup::BackupSelection');
    const selected = JSON.stringify(selection!.Properties.BackupSelection.Resources);
    const excluded = BACKUP_EXCLUDED(deployment);
    const stateful_ = [
      ...resourcesOf(stateful(), 'AWS::DynamoDB::Table').map((t) => ({ id: t.id, name: t.Properties.TableName, arn: { 'Fn::GetAtt': [t.id, 'Arn'] } })),
      ...resourcesOf(stateful(), 'AWS::S3::Bucket').map((b) => ({ id: b.id, name: b.Properties.BucketName, arn: { 'Fn::GetAtt': [b.id, 'Arn'] } })),
    ];
    expect(stateful_.length).toBe(4);
    for (const resource of stateful_) {
      if (resource.name in excluded) {
        expect(excluded[resource.name]!.length, resource.name).toBeGreaterThan(40);
        expect(selected, resource.name).not.toContain(resource.id);
      } else {
        expect(selected, resource.name).toContain(JSON.stringify(resource.arn));
      }
    }
    expect(selected).toContain(resourcesOf(stateful(), 'AWS::DynamoDB::Table').find((t) => t.Properties.TableName === physicalNames(deployment).ballotTable)!.id);
  });

  it('versions every bucket it backs up and gives AWS Backup the service-role policies for DynamoDB and S3 backup and restore', () => {
    for (const bucket of resourcesOf(stateful(), 'AWS::S3::Bucket')) expect(bucket.Properties.VersioningConfiguration, bucket.id).toEqual({ Status: 'Enabled' });
    const [selection] = resourcesOf(stateful(), 'AWS::Backup::BackupSelection');
    const roleId = selection!.Properties.BackupSelection.IamRoleArn['Fn::GetAtt'][0];
    const role = resourcesOf(stateful(), 'AWS::IAM::Role').find((r) => r.id === roleId)!;
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('backup.amazonaws.com');
    const policies = JSON.stringify(role.Properties.ManagedPolicyArns);
    for (const name of BACKUP_ROLE_POLICIES) expect(policies).toContain(`:iam::aws:policy/${name}"`);
  });

  if (deployment.backupCopyRegion) {
    it(`copies every recovery point to a vault in ${deployment.backupCopyRegion}, in the same jurisdiction and account, deployed before the plan`, () => {
      expect(JURISDICTION[deployment.backupCopyRegion!]).toBe(JURISDICTION[deployment.region]);
      const copyStack = synth.app.node.findChild(stackName(deployment, 'BackupCopy')) as unknown as { region: string; account: string };
      expect({ region: copyStack.region, account: copyStack.account }).toEqual({ region: deployment.backupCopyRegion, account: deployment.account });
      const vault = resourcesOf(synth.templates[stackName(deployment, 'BackupCopy')]!, 'AWS::Backup::BackupVault')[0]!;
      expect(vault.Properties.BackupVaultName).toBe(physicalNames(deployment).backupCopyVault);
      for (const rule of plan().BackupPlanRule) {
        expect(rule.CopyActions, rule.RuleName).toHaveLength(1);
        expect(JSON.stringify(rule.CopyActions[0].DestinationBackupVaultArn)).toContain(`:backup:${deployment.backupCopyRegion}:`);
        expect(JSON.stringify(rule.CopyActions[0].DestinationBackupVaultArn)).toContain(`:backup-vault:${physicalNames(deployment).backupCopyVault}`);
        expect(rule.CopyActions[0].Lifecycle.DeleteAfterDays).toBe(rule.Lifecycle.DeleteAfterDays);
      }
      const stateful_ = synth.stacks.find((s) => s.deployment === deployment)!.stateful;
      expect(stateful_.dependencies.map((d) => d.stackName)).toContain(stackName(deployment, 'BackupCopy'));
    });
  } else {
    it('has no second region in its jurisdiction, so keeps its backups in one region, and the README says so', () => {
      expect(Object.entries(JURISDICTION).filter(([, j]) => j === JURISDICTION[deployment.region]).map(([r]) => r)).toEqual([deployment.region]);
      for (const rule of plan().BackupPlanRule) expect(rule.CopyActions, rule.RuleName).toBeUndefined();
      const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
      expect(readme).toMatch(new RegExp(`${deployment.region}[^\\n]*\\n?[^\\n]*one region`));
    });
  }

  it(`${settings.vaultLock ? 'locks' : 'does not lock'} its vaults, and denies early deletion of recovery points to everyone`, () => {
    const vaults = [stackName(deployment, 'Stateful'), stackName(deployment, 'BackupCopy')].flatMap((name) => (synth.templates[name] ? resourcesOf(synth.templates[name], 'AWS::Backup::BackupVault') : []));
    expect(vaults.length).toBe(deployment.backupCopyRegion ? 2 : 1);
    for (const vault of vaults) {
      if (settings.vaultLock) expect(vault.Properties.LockConfiguration).toEqual({ MinRetentionDays: 35, MaxRetentionDays: 366, ChangeableForDays: 3 });
      else expect(vault.Properties.LockConfiguration).toBeUndefined();
      const deny = vault.Properties.AccessPolicy.Statement.find((s: any) => s.Effect === 'Deny');
      expect(deny.Action).toEqual(expect.arrayContaining(['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle']));
    }
  });

  it('tells the operators when a backup, copy or restore job fails', () => {
    const rule = resourcesOf(stateful(), 'AWS::Events::Rule').find((r) => r.Properties.EventPattern?.source?.includes('aws.backup'))!;
    expect(rule.Properties.EventPattern.detail.state).toContain('FAILED');
    expect(rule.Properties.EventPattern['detail-type']).toEqual(['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change']);
    expect(rule.Properties.Targets[0].Arn.Ref).toMatch(/^Operators/);
  });
});
