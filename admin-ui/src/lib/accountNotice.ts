// A message for the next screen across a sign-out (the login page after
// "sign out everywhere", the account page after a cancelled deletion):
// module state, so no redirect in between can lose it.
const state: { notice: string | null; cancelled: boolean } = { notice: null, cancelled: false };

export const accountNotice = {
  /** the login page's notice (an i18n key), until the next sign-in */
  get notice(): string | null {
    return state.notice;
  },
  setNotice(k: string | null): void {
    state.notice = k;
  },
  get cancelled(): boolean {
    return state.cancelled;
  },
  setCancelled(v: boolean): void {
    state.cancelled = v;
  },
};
