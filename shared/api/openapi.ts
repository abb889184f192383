import * as z from 'zod/mini';
import { ErrorBody } from '../schemas/common.ts';
import { routes, splitRouteKey, type RouteSpec } from './routes.ts';

const errorStatuses: Record<string, string> = {
  '400': 'The request is malformed (bad JSON, a tampered cursor).',
  '401': 'Sign in first, or the sign-in proof is invalid.',
  '404': 'Not found, or not visible to you.',
  '409': 'Conflicts with the current state.',
  '422': 'Validation failed; `error.fields` names each field.',
  '429': 'Rate limited; see the Retry-After header.',
};

const schemaOf = (schema: z.ZodMiniType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** The OpenAPI 3.1 document, generated from the route table and its zod schemas. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [key, spec] of Object.entries(routes) as Array<[string, RouteSpec]>) {
    const { method, path } = splitRouteKey(key);
    const query = spec.query ? (schemaOf(spec.query, 'input') as { properties?: Record<string, unknown>; required?: string[] }) : null;
    const parameters = [
      ...[...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } })),
      ...Object.entries(query?.properties ?? {}).map(([name, schema]) => ({ name, in: 'query', required: query?.required?.includes(name) ?? false, schema })),
    ];
    const errorResponses = Object.fromEntries(
      Object.entries(errorStatuses).map(([status, description]) => [
        status,
        { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      ]),
    );
    (paths[path] ??= {})[method.toLowerCase()] = {
      operationId: key,
      summary: spec.summary,
      ...(spec.auth === 'none' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } } }
        : {}),
      responses: {
        [String(spec.status)]: {
          description: 'Success',
          ...(spec.response ? { content: { 'application/json': { schema: schemaOf(spec.response, 'output') } } } : {}),
        },
        ...errorResponses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Moot API', version: '1', description: 'Groups discuss and decide together.' },
    servers: [{ url: '/' }],
    security: [{ session: [] }],
    components: {
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'moot_session' } },
      schemas: { Error: schemaOf(ErrorBody, 'output') },
    },
    paths,
  };
}
