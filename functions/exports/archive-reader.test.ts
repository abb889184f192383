import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { archiveLines, newStats, Rejected } from './archive-reader.ts';
import { importLimits, type ImportLimits } from './limits.ts';

/** The compressed bytes as a stream of small pieces, so lines and characters cross every boundary. */
const streamOf = (gz: Buffer, piece = 7) => Readable.from(Array.from({ length: Math.ceil(gz.length / piece) }, (_, i) => gz.subarray(i * piece, (i + 1) * piece)));

async function read(gz: Buffer, limits: Partial<ImportLimits> = {}) {
  const stats = newStats();
  const records: Array<Record<string, unknown>> = [];
  const texts: string[] = [];
  try {
    for await (const { record, text } of archiveLines(streamOf(gz), { ...importLimits, ...limits }, stats)) {
      records.push(record);
      texts.push(text);
    }
    return { records, texts, stats, refused: null };
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    return { records, texts, stats, refused: error.message };
  }
}

const ndjson = (...records: unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join('');

describe('archiveLines', () => {
  it('reads each line exactly, with characters of up to four bytes split across chunks', async () => {
    const lines = [{ type: 'group', name: 'Ωmega 🗳️‍🌈 \u202Egnp.exe' }, { type: 'item', body: '🗳️'.repeat(20_000) }, { type: 'member', name: '\u0000\uFEFF é' }];
    const text = ndjson(...lines);

    const { records, texts, refused } = await read(gzipSync(text));

    expect(refused).toBeNull();
    expect(records).toEqual(lines);
    expect(texts.map((t) => `${t}\n`).join('')).toBe(text);
  });

  it('takes a line at the limit and refuses one a byte longer, naming the line and the limit', async () => {
    const at = `{"type":"x","pad":"${'a'.repeat(1024 - 21)}"}`;
    expect(Buffer.byteLength(at)).toBe(1024);

    expect((await read(gzipSync(`${at}\n`), { lineBytes: 1024 })).refused).toBeNull();
    expect((await read(gzipSync(`${at}\n{"type":"x","pad":"${'a'.repeat(1024 - 20)}"}\n`), { lineBytes: 1024 })).refused).toBe('Line 2: a line is longer than 1 KB, which no Moot record is.');
  });

  it('refuses bytes without a newline once they pass the line limit, holding no more than the line buffer', async () => {
    const { refused, stats } = await read(gzipSync(Buffer.alloc(5 * 1024 * 1024, 'a')));

    expect(refused).toBe('Line 1: a line is longer than 2 MB, which no Moot record is.');
    expect(stats.lineBufferBytes).toBe(2 * 1024 * 1024);
    expect(stats.longestLine).toBe(0);
    expect(stats.largestChunk).toBeLessThanOrEqual(64 * 1024);
  });

  it('stops a gzip bomb at the expanded limit, not at its end', async () => {
    const member = gzipSync(ndjson(...Array.from({ length: 1024 }, () => ({ type: 'note', pad: 'x'.repeat(1000) }))));
    const bomb = Buffer.concat(Array.from({ length: 200 }, () => member));

    const { refused, stats } = await read(bomb, { expandedBytes: 1024 * 1024 });

    expect(refused).toBe('The archive expands to more than 1 MB, the most an import reads.');
    expect(stats.expandedBytes).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
  });

  it.each([
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from('{"type":"x","name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]), 'Line 1 is not UTF-8 text: this is not a Moot archive, or it is damaged.'],
    ['a line that is not JSON', Buffer.from('{"type":\n'), 'Line 1 is not a JSON record: the archive is damaged or truncated.'],
    ['a JSON array', Buffer.from('[1,2]\n'), 'Line 1 is not a JSON record: the archive is damaged or truncated.'],
    ['a record nested deeper than 16 levels', Buffer.from(`{"type":"x","deep":${'['.repeat(5000)}${']'.repeat(5000)}}\n`), 'Line 1 nests deeper than 16 levels: no Moot record does.'],
    ['a cut-off last line', Buffer.from('{"type":"x"}\n{"type":"y"'), 'Line 2 is cut off: the archive is truncated.'],
  ])('refuses %s', async (_, bytes, reason) => {
    expect((await read(gzipSync(bytes))).refused).toBe(reason);
  });

  it('takes a record nested exactly 16 levels deep', async () => {
    const deep = `{"type":"x","deep":${'['.repeat(15)}${']'.repeat(15)}}\n`;
    expect((await read(gzipSync(deep))).refused).toBeNull();
  });

  it.each([
    ['a gzip stream cut short', gzipSync(ndjson({ type: 'x', pad: 'y'.repeat(10_000) })).subarray(0, 40)],
    ['bytes that are not gzip', Buffer.from('PK\u0003\u0004 this is a zip')],
  ])('refuses %s as not a complete gzip stream', async (_, bytes) => {
    expect((await read(bytes)).refused).toBe('The archive is not a complete gzip stream: it is truncated or damaged.');
  });

  it('drops keys and index attributes an archive sets, so each is derived again', async () => {
    const { records } = await read(gzipSync(ndjson({ type: 'thread', pk: 'user#x', sk: 'profile', gsi1pk: 'memberof#victim', ip: '1.2.3.4', title: 'Kept' })));
    expect(records).toEqual([{ type: 'thread', title: 'Kept' }]);
  });
});
