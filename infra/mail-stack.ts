import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Mail } from './constructs/mail.ts';
import type { Deployment } from './deployments.ts';

/** SES for a deployment whose own region has no SES; same account, nothing shared. */
export class MailStack extends Stack {
  constructor(scope: Construct, id: string, props: StackProps & { deployment: Deployment }) {
    super(scope, id, props);
    new Mail(this, 'Mail', { deployment: props.deployment });
  }
}
