import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Deployment } from '../deployments.ts';
import type { MootFunction } from './moot-function.ts';

/**
 * The deployment's operators topic: every alarm publishes here. Operators subscribe to it out of
 * band (docs/operations.md). CloudWatch can publish only to a topic whose key policy names it,
 * which an AWS-managed key's cannot, so the topic has a key of its own in every profile.
 */
export class Operators extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: { deployment: Deployment; name?: string }) {
    super(scope, id);
    const name = props.name ?? `moot-${props.deployment.id.toLowerCase()}-operators`;
    const key = new kms.Key(this, 'Key', {
      alias: `alias/${name}`,
      description: `Moot ${props.deployment.id}: operators alarm topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        // CloudWatch alarms, and EventBridge rules (backup job failures).
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: name,
      displayName: `Moot ${props.deployment.id} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
  }
}

/** An alarm that tells the operators when it fires and when it clears; missing data is fine. */
export function alarm(scope: Construct, id: string, topic: sns.ITopic, props: Omit<cloudwatch.AlarmProps, 'treatMissingData'>): cloudwatch.Alarm {
  const created = new cloudwatch.Alarm(scope, id, { treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING, ...props });
  created.addAlarmAction(new actions.SnsAction(topic));
  created.addOkAction(new actions.SnsAction(topic));
  return created;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Errors, slow runs (p99 at 80% of the timeout) and throttles of one Moot function. */
export function functionAlarms(scope: Construct, name: string, fn: MootFunction, topic: sns.ITopic): cloudwatch.Alarm[] {
  const timeout = fn.fn.timeout ?? Duration.seconds(3);
  return [
    alarm(scope, `${name}Errors`, topic, {
      alarmDescription: `Moot ${name}: the function failed`,
      metric: fn.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
    alarm(scope, `${name}Duration`, topic, {
      alarmDescription: `Moot ${name}: p99 duration near the ${timeout.toSeconds()} s timeout`,
      metric: fn.fn.metricDuration({ period: FIVE_MINUTES, statistic: 'p99' }),
      threshold: timeout.toMilliseconds() * 0.8,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
    alarm(scope, `${name}Throttles`, topic, {
      alarmDescription: `Moot ${name}: invocations throttled (account concurrency, or its own reserved concurrency)`,
      metric: fn.fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
  ];
}

/** Anything waiting in a dead-letter or failure queue is a failure nobody has looked at yet. */
export function queueAlarm(scope: Construct, name: string, queue: sqs.IQueue, topic: sns.ITopic): cloudwatch.Alarm {
  return alarm(scope, `${name}Visible`, topic, {
    alarmDescription: `Moot ${name}: messages waiting in a failure queue`,
    metric: queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
}

/** A stream reader falling behind: records older than this are at risk of the stream's 24 hours. */
export const ITERATOR_AGE_ALARM = Duration.minutes(15);

export function iteratorAgeAlarm(scope: Construct, name: string, fn: MootFunction, topic: sns.ITopic): cloudwatch.Alarm {
  return alarm(scope, `${name}IteratorAge`, topic, {
    alarmDescription: `Moot ${name}: the table stream reader is falling behind`,
    metric: fn.fn.metric('IteratorAge', { period: FIVE_MINUTES, statistic: 'Maximum' }),
    threshold: ITERATOR_AGE_ALARM.toMilliseconds(),
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
}

/** SES reviews an account at a 5 % bounce rate and 0.1 % complaint rate; tell operators before. */
export const SES_LIMITS = { bounceRate: 0.04, complaintRate: 0.0008 };

export function sesAlarms(scope: Construct, topic: sns.ITopic): cloudwatch.Alarm[] {
  const rate = (metricName: string) => new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
  return [
    alarm(scope, 'SesBounceRate', topic, {
      alarmDescription: 'Moot mail: SES bounce rate approaching the 5 % review level',
      metric: rate('Reputation.BounceRate'),
      threshold: SES_LIMITS.bounceRate,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
    alarm(scope, 'SesComplaintRate', topic, {
      alarmDescription: 'Moot mail: SES complaint rate approaching the 0.1 % review level',
      metric: rate('Reputation.ComplaintRate'),
      threshold: SES_LIMITS.complaintRate,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
  ];
}
