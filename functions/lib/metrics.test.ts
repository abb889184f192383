import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// Configuration and Powertools read the environment when the modules load, and another test file
// in this process may have started a local stack (which turns metrics off): these tests are
// about a cloud deployment called Test.
vi.hoisted(() => {
  delete process.env.MOOT_LOCAL;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_DEV;
  process.env.DEPLOYMENT_ID = 'Test';
});
import { countMetric, flushMetrics, METRICS_NAMESPACE, observed } from './metrics.ts';

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [field: string]: unknown;
}

let written: string[] = [];
beforeEach(() => {
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

const emfLines = (): Emf[] =>
  written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as Emf);

describe('metrics', () => {
  it('writes buffered counts at the flush as one EMF line in the Moot namespace, with the service and deployment dimensions', () => {
    // Prepare
    countMetric('EmailSent');
    countMetric('EmailSent');
    countMetric('EmailFailed');
    expect(emfLines()).toEqual([]);

    // Act
    flushMetrics();

    // Assess
    const [line, ...others] = emfLines();
    expect(others).toEqual([]);
    const directive = line!._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions[0]!.sort()).toEqual(['deployment', 'service']);
    expect(directive.Metrics).toEqual(expect.arrayContaining([{ Name: 'EmailSent', Unit: 'Count' }, { Name: 'EmailFailed', Unit: 'Count' }]));
    expect(line).toMatchObject({ service: 'moot', deployment: 'Test', EmailSent: [1, 1], EmailFailed: 1 });
  });

  it('writes a count with a dimension at once, as its own line carrying that dimension too', () => {
    countMetric('SignIn', { method: 'link' });
    countMetric('JobFailed', { job: 'group export' });

    const [signIn, job] = emfLines();
    expect(signIn!._aws.CloudWatchMetrics[0]!.Dimensions[0]!.sort()).toEqual(['deployment', 'method', 'service']);
    expect(signIn).toMatchObject({ SignIn: 1, method: 'link', deployment: 'Test', service: 'moot' });
    expect(job).toMatchObject({ JobFailed: 1, job: 'group export', deployment: 'Test' });
  });

  it('writes nothing at a flush with nothing counted', () => {
    flushMetrics();
    expect(written).toEqual([]);
  });

  it('flushes what a wrapped handler counted even when the handler throws', async () => {
    const handler = observed(async (_event: unknown) => {
      countMetric('Vote');
      throw new Error('the use case failed');
    });

    await expect(handler({})).rejects.toThrow('the use case failed');

    expect(emfLines()).toEqual([expect.objectContaining({ Vote: 1, deployment: 'Test' })]);
  });
});
