// A message for the next screen across a sign-out (the login page after
// "sign out everywhere", the account page after a cancelled deletion):
// module state, so no redirect in between can lose it.
const state: { notice: string | null; cancelledAt: number } = { notice: null, cancelledAt: 0 };

export const accountNotice = {
  /** the login page's notice (an i18n key), until the next sign-in */
  get notice(): string | null {
    return state.notice;
  },
  setNotice(k: string | null): void {
    state.notice = k;
  },
  /** a deletion was cancelled in the last minute (the redirects on the way may mount the page more than once) */
  get cancelled(): boolean {
    return Date.now() - state.cancelledAt < 60000;
  },
  setCancelled(v: boolean): void {
    state.cancelledAt = v ? Date.now() : 0;
  },
};
