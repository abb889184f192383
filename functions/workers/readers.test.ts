import { describe, expect, it } from 'vitest';
import { deliveries } from './stream-handler.ts';
import { jobs } from './jobs-handler.ts';
import { JOB_KINDS } from './job-kinds.ts';

const jobKinds: readonly string[] = JOB_KINDS;

describe('the two readers of the table stream', () => {
  it('give each event kind to exactly one of them', () => {
    const streamKinds = Object.keys(deliveries);
    expect(streamKinds.filter((kind) => jobKinds.includes(kind))).toEqual([]);
    expect(streamKinds.length).toBeGreaterThan(10);
  });

  it('leave exports, imports, personal archives and erasure to the jobs worker', () => {
    expect([...jobKinds].sort()).toEqual(['AccountDeletionRequested', 'GroupExportRequested', 'GroupImportRequested', 'PersonalExportRequested']);
    expect(Object.keys(jobs).sort()).toEqual([...jobKinds].sort());
    for (const kind of JOB_KINDS) expect(jobs[kind]).toHaveLength(1);
  });
});
