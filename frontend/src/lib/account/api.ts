import type { AccountAccepted, MyData, PasswordStatus, SetPassword } from '../../../../shared/schemas/account.ts';
import type { PasswordSignIn, SignedIn } from '../../../../shared/schemas/auth.ts';
import type { AuditPage, AuditQuery } from '../../../../shared/schemas/exports.ts';
import { call } from '../api.ts';

// The person's own account (data, password, leaving) and a group's audit trail, as the browser
// sees them. Imported only by the account and audit routes, so no other page loads it.

const path = encodeURIComponent;

function auditSearch(filters: AuditQuery): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const accountApi = {
  myData: (fetcher?: typeof fetch) => call<MyData>('GET', '/me/data', undefined, fetcher),
  requestExport: () => call<AccountAccepted>('POST', '/me/exports'),
  deactivate: () => call<AccountAccepted>('POST', '/me/deactivate'),
  deleteAccount: () => call<AccountAccepted>('DELETE', '/me'),
  setPassword: (input: SetPassword) => call<PasswordStatus>('PUT', '/me/password', input),
  removePassword: () => call<PasswordStatus>('DELETE', '/me/password'),
  signInWithPassword: (input: PasswordSignIn) => call<SignedIn>('POST', '/auth/password', input),
  audit: (groupId: string, filters: AuditQuery) => call<AuditPage>('GET', `/groups/${path(groupId)}/audit${auditSearch(filters)}`),
  /** A plain link: the browser downloads it with the session cookie, the API names the file. */
  auditCsvHref: (groupId: string, filters: Omit<AuditQuery, 'cursor'>) => `/api/groups/${path(groupId)}/audit.csv${auditSearch(filters)}`,
};

export type { MyData };
export type AuditEntry = AuditPage['items'][number];
