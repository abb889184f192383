import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi.ts';
import { routes, splitRouteKey } from './routes.ts';

describe('the OpenAPI document', () => {
  it('lists every route in the route table', () => {
    const document = openApiDocument();
    for (const key of Object.keys(routes)) {
      const { method, path } = splitRouteKey(key);
      expect(document.paths[path]?.[method.toLowerCase()], key).toBeDefined();
    }
  });

  it('describes request bodies from the shared zod schemas', () => {
    const operation = openApiDocument().paths['/api/auth/email']?.post as { requestBody: { content: Record<string, { schema: { properties: object } }> } };
    expect(operation.requestBody.content['application/json']?.schema.properties).toHaveProperty('email');
  });

  it('is OpenAPI 3.1', () => {
    expect(openApiDocument().openapi).toBe('3.1.0');
  });
});
