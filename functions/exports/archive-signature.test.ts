import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// The deployment's own key comes from this secret; another deployment's from its own.
process.env.ARCHIVE_SIGNING_SECRET = 'unit-test secret of this deployment';
const { identityFor, keyFromSecret, publishedKeys, signManifest } = await import('./archive-signature.ts');

const manifest = { type: 'manifest', records: 3, recordsSha256: 'a'.repeat(64), files: [{ path: 'attachments/x/a.pdf', size: 4, sha256: 'b'.repeat(64) }], companions: [] };

describe('archive signatures', () => {
  let signed: Record<string, unknown>;
  beforeAll(async () => {
    signed = { ...manifest, signature: await signManifest(manifest) };
  });
  afterEach(() => {
    delete process.env.TRUSTED_ARCHIVE_KEYS;
  });

  it('keeps identities for a manifest this deployment signed, naming the deployment', async () => {
    expect(await identityFor(signed)).toEqual({ mode: 'kept', reason: 'verified signature from deployment local', deployment: 'local' });
  });

  it('publishes the key that verifies it, as a raw key and as a JWK with the same id', async () => {
    const { keys } = await publishedKeys();
    expect(keys).toEqual([expect.objectContaining({ keyId: (signed.signature as { keyId: string }).keyId, alg: 'Ed25519', jwk: expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', x: keys[0]!.publicKey }) })]);
  });

  it.each([
    ['a changed checksum', (m: Record<string, any>) => ({ ...m, recordsSha256: 'c'.repeat(64) })],
    ['one more line counted', (m: Record<string, any>) => ({ ...m, records: m.records + 1 })],
    ['a dropped file', (m: Record<string, any>) => ({ ...m, files: [] })],
    ['a forged signature value', (m: Record<string, any>) => ({ ...m, signature: { ...m.signature, value: `${m.signature.value.slice(0, -4)}AAAA` } })],
    ['a signature that is not an object', (m: Record<string, any>) => ({ ...m, signature: 'yes' })],
  ])('brings placeholders for %s', async (_, change) => {
    expect(await identityFor(change(signed))).toEqual({ mode: 'placeholders', reason: 'signature does not match the contents' });
  });

  it('brings placeholders for an unsigned manifest, and for a key it was not told to trust, whatever deployment that key claims to be', async () => {
    const { signature, ...unsigned } = signed;
    void signature;
    expect(await identityFor(unsigned)).toEqual({ mode: 'placeholders', reason: 'unsigned' });
    const stranger = keyFromSecret('someone else', 'local');
    const { sign } = await import('node:crypto');
    const forged = { ...unsigned, signature: { alg: 'Ed25519', deployment: 'Eu<script>', keyId: stranger.keyId, value: sign(null, Buffer.from(`moot-archive-signature/1\n${JSON.stringify(unsigned)}`), stranger.privateKey).toString('base64url') } };
    expect(await identityFor(forged)).toEqual({ mode: 'placeholders', reason: 'untrusted deployment Euscript' });
  });

  it('keeps identities for a deployment listed in TRUSTED_ARCHIVE_KEYS, named by the list, not by the signature', async () => {
    const eu = keyFromSecret('the EU deployment', 'Eu');
    process.env.TRUSTED_ARCHIVE_KEYS = JSON.stringify([{ deployment: 'Eu', publicKey: eu.publicKey }]);
    const { sign } = await import('node:crypto');
    const bytes = Buffer.from(`moot-archive-signature/1\n${JSON.stringify(manifest)}`);
    const fromEu = { ...manifest, signature: { alg: 'Ed25519', deployment: 'Us', keyId: eu.keyId, value: sign(null, bytes, eu.privateKey).toString('base64url') } };
    expect(await identityFor(fromEu)).toEqual({ mode: 'kept', reason: 'verified signature from deployment Eu', deployment: 'Eu' });
  });
});
