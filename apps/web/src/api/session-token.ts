/**
 * The API token the operator signed in with, kept for this browser tab only: sessionStorage
 * is cleared when the tab closes and is not sent anywhere by the browser on its own.
 */
const KEY = 'podsync.token';

export const sessionToken = {
  read: (): string | undefined => window.sessionStorage.getItem(KEY) ?? undefined,
  write: (token: string): void => window.sessionStorage.setItem(KEY, token),
  clear: (): void => window.sessionStorage.removeItem(KEY),
};
