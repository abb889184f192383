/**
 * Who wrote something, as every view shows it. `imported: true` marks a person from an archive
 * whose provenance was not verified (an unclaimed placeholder, functions/exports/placeholders.ts):
 * the name is the archive's, and no account stands behind it.
 */
export function authorView(item: { authorId: string; authorName: string | null; authorImported?: boolean }) {
  return { id: item.authorId, name: item.authorName, ...(item.authorImported ? { imported: true as const } : {}) };
}
