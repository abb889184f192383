import { gunzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { api, waitFor } from './api.ts';

export type ArchiveRecord = Record<string, any>;

/** The records of a gzipped NDJSON archive, in order. */
export const archiveLines = (gz: Buffer): ArchiveRecord[] => gunzipSync(gz).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));

/** Asks for a group export as an admin, waits for it, and downloads its archive. */
export async function exportGroup(cookie: string, groupId: string) {
  const requested = await api('POST', `/api/groups/${groupId}/exports`, { cookie });
  expect(requested.status).toBe(202);
  const ready = await waitFor(async () => {
    const status = await api('GET', `/api/exports/${requested.body.id}`, { cookie });
    return status.body.status === 'ready' ? status.body : null;
  }, 'the export');
  const gz = Buffer.from(await (await fetch(ready.links.archive)).arrayBuffer());
  return { status: ready, gz, records: archiveLines(gz) };
}

/** Uploads an archive for import the way the browser does (presigned POST), and returns its key. */
export async function uploadArchive(cookie: string, gz: Buffer): Promise<string> {
  const requested = await api('POST', '/api/imports/uploads', { cookie, body: { size: gz.length } });
  expect(requested.status).toBe(201);
  const form = new FormData();
  for (const [k, v] of Object.entries(requested.body.fields as Record<string, string>)) form.append(k, v);
  form.append('file', new Blob([new Uint8Array(gz)], { type: 'application/gzip' }), 'archive.ndjson.gz');
  expect((await fetch(requested.body.url, { method: 'POST', body: form })).status).toBeLessThan(300);
  return requested.body.uploadKey;
}
