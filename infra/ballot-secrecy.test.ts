import { beforeAll, describe, expect, it } from 'vitest';
import { deployments, physicalNames } from './deployments.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

// SECURITY.md, "Anonymous ballots": a request-level trail of the ballot table would pair each
// ballot write with the time of the voter's request, so no stack may record one.
describe('the anonymous ballot table', () => {
  it('is read by no stream, Kinesis stream or data-event trail in any stack of any deployment', () => {
    const ballotTables = deployments.map((d) => physicalNames(d).ballotTable);
    for (const [name, template] of Object.entries(synth.templates)) {
      for (const trail of resourcesOf(template, 'AWS::CloudTrail::Trail')) {
        const selectors = JSON.stringify([trail.Properties.EventSelectors ?? [], trail.Properties.AdvancedEventSelectors ?? []]);
        expect(selectors, `${name}: ${trail.id}`).not.toMatch(/DynamoDB/i);
      }
      for (const table of resourcesOf(template, 'AWS::DynamoDB::Table').filter((t) => ballotTables.includes(t.Properties.TableName))) {
        expect(table.Properties.StreamSpecification, `${name}: ${table.id}`).toBeUndefined();
        expect(table.Properties.KinesisStreamSpecification, `${name}: ${table.id}`).toBeUndefined();
      }
      expect(resourcesOf(template, 'AWS::DynamoDB::GlobalTable'), name).toEqual([]);
    }
  });
});

describe('what the API access log keeps of a vote', () => {
  it('holds no response or request size, which follows the ballot', () => {
    for (const [name, template] of Object.entries(synth.templates)) {
      for (const stage of resourcesOf(template, 'AWS::ApiGatewayV2::Stage')) {
        const format = String(stage.Properties.AccessLogSettings?.Format ?? '');
        expect(format, `${name}: ${stage.id}`).not.toMatch(/responseLength|requestLength|dataProcessed/);
      }
    }
  });
});
