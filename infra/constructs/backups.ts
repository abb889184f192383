import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type Deployment, physicalNames, profileSettings } from '../deployments.ts';
import { acknowledge } from '../nag.ts';

/** A backup vault nobody may empty early; locked (compliance mode) on the government profile. */
export function lockedVault(scope: Construct, id: string, props: { deployment: Deployment; name: string; key?: kms.IKey }): backup.BackupVault {
  const { backup: settings } = profileSettings(props.deployment.profile);
  const vault = new backup.BackupVault(scope, id, {
    backupVaultName: props.name,
    encryptionKey: props.key,
    removalPolicy: RemovalPolicy.RETAIN,
    // Compliance mode after three days: from then on no one, the account root included, can
    // delete a recovery point before it expires or lift the lock.
    lockConfiguration: settings.vaultLock
      ? { minRetention: Duration.days(settings.dailyDays), maxRetention: Duration.days(settings.monthlyDays + 1), changeableFor: Duration.days(3) }
      : undefined,
  });
  // Only the account may touch recovery points; nobody may delete them early.
  vault.addToAccessPolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
      resources: ['*'],
    }),
  );
  return vault;
}

/** The AWS managed policies AWS Backup's role needs to back up and restore tables and S3 buckets. */
export const BACKUP_ROLE_POLICIES = [
  'service-role/AWSBackupServiceRolePolicyForBackup',
  'service-role/AWSBackupServiceRolePolicyForRestores',
  'AWSBackupServiceRolePolicyForS3Backup',
  'AWSBackupServiceRolePolicyForS3Restore',
];

export interface BackupsProps {
  deployment: Deployment;
  /** Every resource to back up, by ARN: the stateful stack passes all its tables and buckets but those it excludes with a reason. */
  resources: backup.BackupResource[];
  key?: kms.IKey;
  operators: sns.ITopic;
}

/**
 * The deployment's AWS Backup plan: a daily recovery point kept 35 days and a monthly one kept a
 * year, in a vault in this region, each copied to the vault of the deployment's backup copy region
 * (same jurisdiction) where it has one. Failed backup and copy jobs notify the operators.
 */
export class Backups extends Construct {
  readonly vault: backup.BackupVault;
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    const { deployment } = props;
    const { backup: settings } = profileSettings(deployment.profile);
    const names = physicalNames(deployment);
    const stack = Stack.of(this);
    this.vault = lockedVault(this, 'Vault', { deployment, name: names.backupVault, key: props.key });

    const copyTo = deployment.backupCopyRegion
      ? backup.BackupVault.fromBackupVaultArn(this, 'CopyVault', `arn:${stack.partition}:backup:${deployment.backupCopyRegion}:${stack.account}:backup-vault:${names.backupCopyVault}`)
      : undefined;
    const rule = (ruleName: string, schedule: events.Schedule, days: number) =>
      new backup.BackupPlanRule({
        ruleName,
        scheduleExpression: schedule,
        deleteAfter: Duration.days(days),
        copyActions: copyTo ? [{ destinationBackupVault: copyTo, deleteAfter: Duration.days(days) }] : undefined,
      });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: names.backupVault,
      backupVault: this.vault,
      backupPlanRules: [
        rule('daily', events.Schedule.cron({ hour: '3', minute: '0' }), settings.dailyDays),
        rule('monthly', events.Schedule.cron({ day: '1', hour: '4', minute: '0' }), settings.monthlyDays),
      ],
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: `Moot ${deployment.id}: AWS Backup backs up and restores the tables and buckets`,
      managedPolicies: BACKUP_ROLE_POLICIES.map((name) => iam.ManagedPolicy.fromAwsManagedPolicyName(name)),
    });
    for (const name of BACKUP_ROLE_POLICIES) {
      acknowledge(role, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`, 'AWS Backup\'s own service-role policies for DynamoDB and S3 backup and restore; AWS maintains them as the services change, and the role is assumable by AWS Backup only.');
    }
    this.plan.addSelection('Data', { resources: props.resources, role });

    new events.Rule(this, 'Failures', {
      description: `Moot ${deployment.id}: a backup, copy or restore job failed`,
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
      },
      targets: [new targets.SnsTopic(props.operators)],
    });
  }
}
