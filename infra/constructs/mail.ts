import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Operators, sesAlarms } from './alarms.ts';
import type { Deployment } from '../deployments.ts';

/** The SES names a function needs; all deterministic, so no cross-stack (or cross-region) reference. */
export function mailNames(deployment: Deployment) {
  const region = deployment.mailRegion ?? deployment.region;
  const configurationSet = `moot-${deployment.id.toLowerCase()}`;
  const feedbackTopicName = `moot-${deployment.id.toLowerCase()}-mail-feedback`;
  const arn = (resource: string) => `arn:aws:ses:${region}:${deployment.account}:${resource}`;
  return {
    region,
    configurationSet,
    identityArn: arn(`identity/${deployment.domain}`),
    configurationSetArn: arn(`configuration-set/${configurationSet}`),
    /** Named, so a stack in another region can subscribe the SES-events handler to it. */
    feedbackTopicName,
    feedbackTopicArn: `arn:aws:sns:${region}:${deployment.account}:${feedbackTopicName}`,
  };
}

/**
 * The deployment's SES domain identity and configuration set, with bounces, complaints and rejects
 * published to an encrypted SNS topic, to which the stateless stack subscribes the `ses-events` handler.
 */
export class Mail extends Construct {
  readonly feedback: sns.Topic;

  /**
   * `alarmTopic`: the operators topic, where it is in this region. SES reputation metrics exist only
   * in the SES region, and so must their alarms; elsewhere they get an operators topic of their own.
   */
  constructor(scope: Construct, id: string, props: { deployment: Deployment; alarmTopic?: sns.ITopic }) {
    super(scope, id);
    const { deployment } = props;
    const alarmTopic = props.alarmTopic ?? new Operators(this, 'Operators', { deployment, name: `moot-${deployment.id.toLowerCase()}-mail-operators` }).topic;
    sesAlarms(this, alarmTopic);
    const names = mailNames(deployment);

    // SES may only publish to a topic whose key policy names SES, which an AWS-managed key's
    // policy cannot, so the topic has its own customer-managed key in every profile.
    const key = new kms.Key(this, 'Key', {
      alias: `alias/moot-${deployment.id.toLowerCase()}-mail`,
      description: `Moot ${deployment.id}: mail feedback topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    // A standard topic: it delivers and forgets (no archive, no delivery-status logs). Where it sits
    // in another region it has no dead-letter queue either, which SNS would keep beside it; SNS
    // retries the function for days, and the function's own failure queue is at home.
    this.feedback = new sns.Topic(this, 'Feedback', {
      topicName: names.feedbackTopicName,
      displayName: `Moot ${deployment.id} bounces and complaints`,
      masterKey: key,
      enforceSSL: true,
    });

    // Sending from another region (no SES at home), SES must keep nothing about recipients there:
    // its account-level suppression list would store bounced and complaining addresses in that
    // region indefinitely. The ses-events function keeps the deployment's own list in its table.
    const outOfRegion = names.region !== deployment.region;
    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: names.configurationSet,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      ...(outOfRegion ? { disableSuppressionList: true } : { suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS }),
    });
    configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.snsTopic(this.feedback),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT, ses.EmailSendingEvent.REJECT],
    });
    new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(deployment.domain),
      configurationSet,
    });
  }
}
