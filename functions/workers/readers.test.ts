import { describe, expect, it } from 'vitest';
import { deliveries } from './stream-handler.ts';
import { jobKinds, jobs } from './jobs-handler.ts';

describe('the two readers of the table stream', () => {
  it('give each event kind to exactly one of them', () => {
    const streamKinds = Object.keys(deliveries);
    expect(streamKinds.filter((kind) => (jobKinds as string[]).includes(kind))).toEqual([]);
    expect(streamKinds.length).toBeGreaterThan(10);
  });

  it('leave exports, imports, personal archives and erasure to the jobs worker', () => {
    expect([...jobKinds].sort()).toEqual(['AccountDeletionRequested', 'GroupExportRequested', 'GroupImportRequested', 'PersonalExportRequested']);
    for (const kind of jobKinds) expect(jobs[kind]).toHaveLength(1);
  });
});
