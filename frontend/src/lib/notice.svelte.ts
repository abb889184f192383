/**
 * A one-time message carried across a navigation, such as "You're signed out".
 * The next page takes it (and so clears it) when it renders.
 */
let pending = $state<string | null>(null);

export const notice = {
  set(message: string) {
    pending = message;
  },
  take(): string | null {
    const message = pending;
    pending = null;
    return message;
  },
};
