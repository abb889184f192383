import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { constants, gunzipSync } from 'node:zlib';
import { inject } from 'vitest';

/** The local stack's S3 emulator, as the tests reach it. */
export const storage = () =>
  new S3Client({
    endpoint: inject('s3Endpoint'),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });

/** Every object's key and content in both buckets, gzip unpacked, as text. */
export async function scanObjects(): Promise<Array<{ bucket: string; key: string; text: string }>> {
  const s3 = storage();
  const found = [];
  for (const bucket of ['moot-uploads', 'moot-exports']) {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const bytes = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key! }))).Body!.transformToByteArray());
        // Other tests leave deliberately truncated archives (import rejection); read what they hold anyway.
        const text = bytes[0] === 0x1f && bytes[1] === 0x8b
          ? gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
          : bytes.toString('utf8');
        found.push({ bucket, key: object.Key!, text });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }
  return found;
}
