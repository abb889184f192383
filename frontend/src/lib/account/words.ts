/** "12 March 2026, 14:05" in the reader's own locale. */
export function dateTimeOf(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? ''
    : date.toLocaleString(undefined, { day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** Event names read as sentences: "MembershipRoleChanged" → "Membership role changed". */
export function kindLabel(kind: string): string {
  const words = kind.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const methodLabel: Record<string, string> = {
  link: 'email link',
  code: 'emailed code',
  invitation: 'invitation link',
  password: 'password',
};

/** The person's own account history, in their words. */
export const accountEventLabel: Record<string, string> = {
  UserSignedUp: 'Account created',
  UserSignedIn: 'Signed in',
  UserSignedOut: 'Signed out',
  UserRenamed: 'Name changed',
  AccountDeactivated: 'Account deactivated',
  AccountReactivated: 'Account reactivated',
  AccountDeletionRequested: 'Deletion requested',
  PersonalExportRequested: 'Data download requested',
  PasswordSet: 'Password set',
  PasswordRemoved: 'Password removed',
};

/** The audit filter's choices: what group admins look for most, in the order they happen. */
export const auditKinds = [
  'GroupCreated',
  'GroupUpdated',
  'GroupArchived',
  'JoinLinkReset',
  'MembershipCreated',
  'MembershipRoleChanged',
  'MembershipRevoked',
  'MembershipRequested',
  'MembershipRequestApproved',
  'MembershipRequestIgnored',
  'InvitationsSent',
  'InvitationResent',
  'InvitationRevoked',
  'DiscussionStarted',
  'DiscussionEdited',
  'DiscussionClosed',
  'DiscussionReopened',
  'DiscussionMoved',
  'CommentEdited',
  'CommentDeleted',
  'PollCreated',
  'PollEdited',
  'PollClosed',
  'PollReopened',
  'OutcomeCreated',
  'GroupExportRequested',
  'GroupImported',
];
