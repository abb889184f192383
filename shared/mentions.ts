/**
 * A member's handle for mentions: their name without accents, lower-cased, with dashes
 * ("Aroha Te Whare" → `aroha-te-whare`). The API resolves `@handle`s with it and the browser
 * suggests them with it, so both read this one copy.
 */
export function personHandle(name: string | null): string | null {
  const slug = (name ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || null;
}
