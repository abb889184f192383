import { beforeAll, describe, expect, it } from 'vitest';
import { deployments, stackName } from './deployments.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

// Failures are seen: every alarm below is looked for per resource found in the template, so a
// new function, queue or stream reader without its alarms fails here.

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

type Resource = { id: string; Properties: Record<string, any> };

describe.each(deployments)('the $id deployment', (deployment) => {
  const stateful = () => synth.templates[stackName(deployment, 'Stateful')]!;
  const stateless = () => synth.templates[stackName(deployment, 'Stateless')]!;
  const alarms = (template = stateless()) => resourcesOf(template, 'AWS::CloudWatch::Alarm');
  const dimension = (alarm: Resource, name: string) => alarm.Properties.Dimensions?.find((d: { Name: string }) => d.Name === name)?.Value;
  const operatorsTopic = () => resourcesOf(stateful(), 'AWS::SNS::Topic').find((t) => t.Properties.TopicName === `moot-${deployment.id.toLowerCase()}-operators`)!;
  const alarmsFor = (metric: string, name: string, value: unknown, template = stateless()) =>
    alarms(template).filter((a) => a.Properties.MetricName === metric && JSON.stringify(dimension(a, name)) === JSON.stringify(value));

  it('has an operators topic, encrypted with a key CloudWatch may use, in the stack deployed first', () => {
    const topic = operatorsTopic();
    expect(topic).toBeDefined();
    const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    const key = resourcesOf(stateful(), 'AWS::KMS::Key').find((k) => k.id === keyId)!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
  });

  it('sends every alarm to the operators topic, when it fires and when it clears', () => {
    const all = [...alarms(), ...alarms(stateful())];
    expect(all.length).toBeGreaterThan(0);
    for (const alarm of all) {
      for (const actions of [alarm.Properties.AlarmActions, alarm.Properties.OKActions]) {
        expect(actions, alarm.id).toHaveLength(1);
        expect(JSON.stringify(actions), alarm.id).toMatch(/Operators/);
      }
    }
  });

  it('alarms on errors, duration near the timeout and throttles of every function', () => {
    const functions = resourcesOf(stateless(), 'AWS::Lambda::Function').filter((f) => /^Fn.+Function[0-9A-F]{8}$/.test(f.id));
    expect(functions.length).toBeGreaterThan(10);
    for (const fn of functions) {
      const ref = { Ref: fn.id };
      expect(alarmsFor('Errors', 'FunctionName', ref), `${fn.id} errors`).toHaveLength(1);
      expect(alarmsFor('Throttles', 'FunctionName', ref), `${fn.id} throttles`).toHaveLength(1);
      const [duration] = alarmsFor('Duration', 'FunctionName', ref);
      expect(duration!.Properties.Threshold, `${fn.id} duration`).toBe(fn.Properties.Timeout * 1000 * 0.8);
    }
  });

  it('alarms on the iterator age of every table-stream reader', () => {
    const mappings = resourcesOf(stateless(), 'AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) expect(alarmsFor('IteratorAge', 'FunctionName', mapping.Properties.FunctionName), JSON.stringify(mapping.Properties.FunctionName)).toHaveLength(1);
  });

  it('alarms on any message visible in every dead-letter and failure queue', () => {
    const queues = resourcesOf(stateless(), 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThanOrEqual(1);
    for (const queue of queues) {
      const [alarm] = alarmsFor('ApproximateNumberOfMessagesVisible', 'QueueName', { 'Fn::GetAtt': [queue.id, 'QueueName'] });
      expect(alarm, queue.id).toBeDefined();
      expect(alarm!.Properties.Threshold).toBe(1);
    }
  });

  it('keeps each failed table-stream batch whole in a bucket, and alarms on every one written there', () => {
    const mappings = resourcesOf(stateless(), 'AWS::Lambda::EventSourceMapping');
    for (const mapping of mappings) {
      const [bucketId, attribute] = mapping.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'];
      expect(attribute).toBe('Arn');
      const bucket = resourcesOf(stateless(), 'AWS::S3::Bucket').find((b) => b.id === bucketId)!;
      expect(bucket, bucketId).toBeDefined();
      const [filter] = bucket.Properties.MetricsConfigurations;
      const alarm = alarms().find((a) => a.Properties.MetricName === 'PutRequests' && JSON.stringify(a.Properties.Dimensions).includes(bucketId) && JSON.stringify(a.Properties.Dimensions).includes(filter.Id));
      expect(alarm, bucketId).toBeDefined();
      expect(alarm!.Properties.Threshold).toBe(1);
    }
  });

  it('gives every asynchronously invoked function (by SNS or EventBridge) an on-failure destination', () => {
    const permissions = resourcesOf(stateless(), 'AWS::Lambda::Permission').filter((p) => ['sns.amazonaws.com', 'events.amazonaws.com'].includes(p.Properties.Principal));
    const invokeConfigs = resourcesOf(stateless(), 'AWS::Lambda::EventInvokeConfig');
    expect(permissions.length).toBeGreaterThanOrEqual(2);
    for (const permission of permissions) {
      const fn = permission.Properties.FunctionName['Fn::GetAtt']?.[0] ?? permission.Properties.FunctionName.Ref;
      const config = invokeConfigs.find((c) => c.Properties.FunctionName.Ref === fn);
      expect(config?.Properties.DestinationConfig.OnFailure.Destination, fn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AsyncFailures/), 'Arn'] });
    }
  });

  it('alarms on the API\'s 5xx answers and on requests its stage throttled', () => {
    const [api] = resourcesOf(stateless(), 'AWS::ApiGatewayV2::Api');
    expect(alarmsFor('5xx', 'ApiId', { Ref: api!.id })).toHaveLength(1);
    const [filter] = resourcesOf(stateless(), 'AWS::Logs::MetricFilter');
    expect(filter!.Properties.FilterPattern).toContain('$.status = "429"');
    const { MetricName, MetricNamespace } = filter!.Properties.MetricTransformations[0];
    expect(alarms().filter((a) => a.Properties.MetricName === MetricName && a.Properties.Namespace === MetricNamespace)).toHaveLength(1);
  });

  it('alarms on the SES bounce and complaint rates where its SES account sends', () => {
    const template = synth.templates[stackName(deployment, deployment.mailRegion && deployment.mailRegion !== deployment.region ? 'Mail' : 'Stateless')]!;
    template.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    const ses = alarms(template).filter((a) => a.Properties.Namespace === 'AWS/SES').map((a) => a.Properties.MetricName).sort();
    expect(ses).toEqual(['Reputation.BounceRate', 'Reputation.ComplaintRate']);
  });

  it('has a dashboard of its own', () => {
    const [dashboard] = resourcesOf(stateless(), 'AWS::CloudWatch::Dashboard');
    expect(dashboard!.Properties.DashboardName).toBe(`moot-${deployment.id.toLowerCase()}`);
  });
});
