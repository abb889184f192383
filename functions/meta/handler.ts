import { openApiDocument } from '../../shared/api/openapi.ts';
import { capability } from '../lib/http.ts';

// Built once per cold start: the document only changes with a deploy.
const document = openApiDocument();

export const handler = capability({
  'GET /api/openapi.json': async () => ({ body: document, headers: { 'cache-control': 'public, max-age=300' } }),
  'GET /.well-known/moot-archive-keys.json': async () => {
    const { publishedKeys } = await import('../exports/archive-signature.ts');
    return { body: await publishedKeys(), headers: { 'cache-control': 'public, max-age=300' } };
  },
});
