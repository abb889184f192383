import * as z from 'zod/mini';

/**
 * Runs one of the shared schemas (the API contract) on a form value in the browser.
 * Answers the parsed value, or the schema's own first message, so the words match the API's.
 */
export function check<T extends z.ZodMiniType>(
  schema: T,
  value: unknown,
): { ok: true; value: z.infer<T> } | { ok: false; message: string } {
  const result = z.safeParse(schema, value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues[0]?.message ?? 'Check this field.' };
}
