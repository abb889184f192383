import { App, type AppProps, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type Deployment, deployments as allDeployments, stackName } from './deployments.ts';
import { BackupCopyStack } from './backup-copy-stack.ts';
import { EdgeStack } from './edge-stack.ts';
import { MailStack } from './mail-stack.ts';
import { ScopedNist80053R5Checks } from './nag.ts';
import { acknowledgeNistFindings } from './nist.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

export interface MootAppOptions {
  bundles: Record<string, { dir: string }>;
  webDir: string;
  deployments?: Deployment[];
  appProps?: AppProps;
}

export interface MootApp {
  app: App;
  stacks: { deployment: Deployment; stateful: StatefulStack; stateless: StatelessStack; edge: EdgeStack; mail?: MailStack }[];
}

/**
 * The whole Moot CDK app: per deployment a stateful, a stateless and an edge stack (and a mail stack
 * where SES is elsewhere), with cdk-nag (AWS Solutions) over all of them.
 * Shared by `infra/app.ts` (the CLI entry) and the infra tests, so both synthesize the same thing.
 */
export function createMootApp(options: MootAppOptions): MootApp {
  const app = new App(options.appProps);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  const stacks = (options.deployments ?? allDeployments).map((deployment) => {
    const env = { account: deployment.account, region: deployment.region };
    const tags = { deployment: deployment.id, profile: deployment.profile };
    const stateful = new StatefulStack(app, stackName(deployment, 'Stateful'), {
      env,
      tags,
      deployment,
      description: `Moot ${deployment.id} (${deployment.profile}): data`,
    });
    // The second vault, in another region of the same jurisdiction, exists before the plan copies to it.
    if (deployment.backupCopyRegion) {
      const copy = new BackupCopyStack(app, stackName(deployment, 'BackupCopy'), {
        env: { account: deployment.account, region: deployment.backupCopyRegion },
        tags,
        deployment,
        description: `Moot ${deployment.id} (${deployment.profile}): the vault for copies of backups`,
      });
      stateful.addStackDependency(copy);
    }
    // CloudFront's web ACL can only be made in us-east-1 (README, "Where data lives").
    const edge = new EdgeStack(app, stackName(deployment, 'Edge'), {
      env: { account: deployment.account, region: 'us-east-1' },
      tags,
      deployment,
      description: `Moot ${deployment.id} (${deployment.profile}): WAF web ACL for CloudFront`,
    });
    const stateless = new StatelessStack(app, stackName(deployment, 'Stateless'), {
      env,
      tags,
      deployment,
      stateful,
      edge,
      bundles: options.bundles,
      webDir: options.webDir,
      description: `Moot ${deployment.id} (${deployment.profile}): functions, API, mail and CDN`,
    });
    stateless.addStackDependency(stateful);
    const mail = deployment.mailRegion && deployment.mailRegion !== deployment.region
      ? new MailStack(app, stackName(deployment, 'Mail'), {
          env: { account: deployment.account, region: deployment.mailRegion },
          tags,
          deployment,
          description: `Moot ${deployment.id} (${deployment.profile}): SES identity and feedback topic`,
        })
      : undefined;
    // The stateless stack subscribes to the mail stack's feedback topic and sends through its identity.
    if (mail) stateless.addStackDependency(mail);
    return { deployment, stateful, stateless, edge, mail };
  });
  // Government stacks are also held to NIST 800-53 rev 5, beside AWS Solutions.
  const government = app.node.children.filter((c): c is Stack => c instanceof Stack && stacks.some((s) => s.deployment.profile === 'government' && c.stackName.startsWith(`Moot-${s.deployment.id}-`)));
  for (const stack of government) acknowledgeNistFindings(stack);
  if (government.length) Validations.of(app).addPlugins(new ScopedNist80053R5Checks(government));
  return { app, stacks };
}
