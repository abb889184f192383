/**
 * The single-table layout, declared once. The CDK table, the local DynamoDB table and the
 * ElectroDB entities are all built from this declaration, so they cannot drift apart.
 * Pure data: no SDK imports, so infrastructure code can read it cheaply.
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds. DynamoDB deletes expired items eventually; reads must still ignore them. */
  ttlAttribute: 'expiresAt',
  indexes: {
    /** Reverse look-ups: a user's memberships, an email's account. */
    gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** Sparse index of items that fall due (poll closings, reminders, digests), swept by the scheduler. */
    gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  },
} as const;

export type IndexName = keyof typeof tableSchema.indexes;

/** Attribute definitions for CreateTable and for CDK: every key attribute is a string. */
export function keyAttributeNames(): string[] {
  const names: string[] = [tableSchema.partitionKey, tableSchema.sortKey];
  for (const index of Object.values(tableSchema.indexes)) names.push(index.partitionKey, index.sortKey);
  return names;
}
