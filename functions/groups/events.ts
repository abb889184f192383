/** What happens to groups and memberships, in past tense. */
export type GroupEvent =
  | { kind: 'GroupCreated'; groupId: string; parentId: string | null }
  | { kind: 'GroupUpdated'; groupId: string; changed: string[] }
  | { kind: 'GroupArchived'; groupId: string }
  | { kind: 'JoinLinkReset'; groupId: string }
  | { kind: 'MembershipCreated'; groupId: string; userId: string; via: 'creator' | 'invitation' | 'link' | 'request' | 'approval' }
  | { kind: 'MembershipRoleChanged'; groupId: string; userId: string; role: 'admin' | 'member'; title: string | null }
  | { kind: 'MembershipRevoked'; groupId: string; userId: string; reason: 'left' | 'removed' }
  | { kind: 'InvitationsSent'; groupId: string; invitationIds: string[] }
  | { kind: 'InvitationResent'; groupId: string; invitationId: string }
  | { kind: 'InvitationRevoked'; groupId: string; invitationId: string }
  | { kind: 'MembershipRequested'; groupId: string; userId: string }
  | { kind: 'MembershipRequestApproved'; groupId: string; userId: string }
  | { kind: 'MembershipRequestIgnored'; groupId: string; userId: string };
