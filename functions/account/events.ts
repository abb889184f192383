/** What happens to a person's account as a whole, in past tense. Recorded in the person's own stream. */
export type AccountLifecycleEvent =
  | { kind: 'AccountDeactivated'; userId: string }
  | { kind: 'AccountReactivated'; userId: string }
  | { kind: 'AccountDeletionRequested'; userId: string }
  | { kind: 'PersonalExportRequested'; userId: string; exportId: string }
  | { kind: 'PasswordSet'; userId: string; changed: boolean }
  | { kind: 'PasswordRemoved'; userId: string };
