import * as z from 'zod/mini';

const EventKindName = z.string().check(z.regex(/^[A-Z][A-Za-z]{1,60}$/, { error: 'kind is an event name, like MembershipRoleChanged.' }));
const UserId = z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/, { error: 'actorId is a user id.' }));

export const AuditQuery = z.object({
  cursor: z.optional(z.string()),
  kind: z.optional(EventKindName),
  actorId: z.optional(UserId),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntry = z.object({
  id: z.string(),
  kind: z.string(),
  at: z.string(),
  actorId: z.nullable(z.string()),
  actorName: z.nullable(z.string()),
  data: z.record(z.string(), z.unknown()),
});

export const AuditPage = z.object({ items: z.array(AuditEntry), cursor: z.nullable(z.string()) });
export type AuditPage = z.infer<typeof AuditPage>;
