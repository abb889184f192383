import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { lockedVault } from './constructs/backups.ts';
import { type Deployment, physicalNames, profileSettings } from './deployments.ts';

/**
 * The vault that receives a copy of every backup, in a second region of the deployment's
 * jurisdiction (`backupCopyRegion`), same account. Holds recovery points only; deployed before the
 * stateful stack, whose plan copies into it.
 */
export class BackupCopyStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { deployment: Deployment }) {
    super(scope, id, { ...props, terminationProtection: true });
    const { deployment } = props;
    const key = profileSettings(deployment.profile).customerManagedKeys
      ? new kms.Key(this, 'Key', {
          alias: `alias/moot-${deployment.id.toLowerCase()}-backup-copy`,
          description: `Moot ${deployment.id}: copies of backups`,
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    lockedVault(this, 'Vault', { deployment, name: physicalNames(deployment).backupCopyVault, key });
  }
}
