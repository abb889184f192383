import { beforeAll, describe, expect, it } from 'vitest';
import { deployments, physicalNames, stackName } from './deployments.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

const elsewhere = deployments.filter((d) => d.mailRegion && d.mailRegion !== d.region);
const atHome = deployments.filter((d) => !elsewhere.includes(d));

it('has a deployment whose mail leaves from another region, so the tests below test something', () => {
  expect(elsewhere.map((d) => d.id)).toEqual(['NzGov']);
});

describe.each(atHome)('the $id deployment, with SES in its own region', (deployment) => {
  const stateless = () => synth.templates[stackName(deployment, 'Stateless')]!;

  it('keeps its SES identity, configuration set and feedback topic in its stateless stack', () => {
    expect(synth.stacks.find((s) => s.deployment === deployment)!.mail).toBeUndefined();
    stateless().resourceCountIs('AWS::SES::EmailIdentity', 1);
    const [set] = resourcesOf(stateless(), 'AWS::SES::ConfigurationSet');
    expect(set!.Properties.SuppressionOptions.SuppressedReasons.sort()).toEqual(['BOUNCE', 'COMPLAINT']);
  });
});

describe.each(elsewhere)('the $id deployment, whose mail leaves from $mailRegion', (deployment) => {
  const mail = () => synth.templates[stackName(deployment, 'Mail')]!;
  const stateless = () => synth.templates[stackName(deployment, 'Stateless')]!;

  it('holds only the identity, configuration set, feedback topic and its key there: nothing that stores recipients', () => {
    const types = new Set(Object.values(mail().toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type));
    const allowed = ['AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SES::ConfigurationSet', 'AWS::SES::ConfigurationSetEventDestination', 'AWS::SES::EmailIdentity', 'AWS::CloudWatch::Alarm'];
    for (const type of types) expect(allowed, type).toContain(type);
    stateless().resourceCountIs('AWS::SES::EmailIdentity', 0);
  });

  it('turns off SES\'s account-level suppression list for its mail, which would keep addresses in that region', () => {
    const [set] = resourcesOf(mail(), 'AWS::SES::ConfigurationSet');
    expect(set!.Properties.SuppressionOptions).toEqual({ SuppressedReasons: [] });
    expect(set!.Properties.VdmOptions).toBeUndefined();
  });

  it('passes feedback through a standard topic that keeps nothing: no archive, no delivery logs, no dead-letter queue there', () => {
    const [topic] = resourcesOf(mail(), 'AWS::SNS::Topic');
    expect(topic!.Properties.FifoTopic).toBeUndefined();
    expect(topic!.Properties.ArchivePolicy).toBeUndefined();
    expect(topic!.Properties.DeliveryStatusLogging).toBeUndefined();
    expect(topic!.Properties.KmsMasterKeyId).toBeDefined();
    mail().resourceCountIs('AWS::SNS::Subscription', 0);
    const [subscription] = resourcesOf(stateless(), 'AWS::SNS::Subscription');
    expect(subscription!.Properties).toMatchObject({ Protocol: 'lambda', Region: deployment.mailRegion });
    expect(subscription!.Properties.RedrivePolicy).toBeUndefined();
    expect(JSON.stringify(subscription!.Properties.Endpoint)).toContain('FnseseventsFunction');
  });

  it('keeps its own suppression list in the deployment\'s table, at home', () => {
    const sesEvents = resourcesOf(stateless(), 'AWS::Lambda::Function').find((f) => f.id.startsWith('FnseseventsFunction'))!;
    expect(sesEvents.Properties.Environment.Variables.TABLE_NAME).toBe(physicalNames(deployment).table);
    const policy = resourcesOf(stateless(), 'AWS::IAM::Policy').find((p) => JSON.stringify(p.Properties.Roles).includes('FnseseventsRole'))!;
    const text = JSON.stringify(policy.Properties.PolicyDocument);
    expect(text).toContain('dynamodb:BatchWriteItem');
    expect(text).toContain(`table/${physicalNames(deployment).table}`);
    expect(text).not.toContain(deployment.mailRegion);
  });
});
