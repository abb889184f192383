import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlt } from './blt.ts';
import { count } from './index.ts';
import type { StvStage } from './types.ts';

// CI checks the shared data out beside the repository, as ../shared.
const DUNDEE = new URL('../../../shared/elections/dundee2022/', import.meta.url);

interface Official {
  seats: number;
  valid_votes: number;
  quota: string;
  stages: StvStage[];
}

const wards = readdirSync(DUNDEE)
  .filter((file) => file.endsWith('.blt'))
  .map((file) => file.replace(/^dundee22_|\.blt$/g, ''));

const comparable = (stage: StvStage) => ({
  votes: stage.votes,
  non_transferable: stage.non_transferable,
  elected: stage.elected,
  excluded: stage.excluded,
  surplus: stage.surplus,
});

describe('Scottish STV recount of Dundee City Council 2022', () => {
  it('finds all seven contested wards', () => {
    expect(wards).toHaveLength(7);
  });

  it.each(wards)('reproduces the official %s count stage by stage', (ward) => {
    // Prepare
    const election = parseBlt(readFileSync(new URL(`dundee22_${ward}.blt`, DUNDEE), 'utf8'));
    const official = JSON.parse(readFileSync(new URL(`dundee22_${ward}_stages.json`, DUNDEE), 'utf8')) as Official;

    // Act
    const result = count('stv-scottish', election);

    // Assess
    expect(result.seats).toBe(official.seats);
    expect(result.valid_votes).toBe(official.valid_votes);
    expect(result.quota).toBe(official.quota);
    expect(result.stages).toHaveLength(official.stages.length);
    official.stages.forEach((stage, i) => {
      expect(comparable(result.stages[i] as StvStage), `stage ${i + 1}`).toEqual(stage);
    });
    expect(result.elected).toEqual(official.stages.flatMap((stage) => stage.elected));
  });
});
