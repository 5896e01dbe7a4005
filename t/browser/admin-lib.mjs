// Helpers the dashboard's browser tests share (admin.mjs, admin-account.mjs,
// admin-landing.mjs): testid selectors, axe, screenshots, sign-in and the
// navigation an owner clicks.
import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { ok, note } from './lib.mjs';

export const tid = (id) => `[data-testid="${id}"]`;

// shot(page, name) writes DIR/PREFIXname.png (full page) when dir is set.
export function shooter(dir, prefix = '') {
  if (dir) mkdirSync(dir, { recursive: true });
  return async (page, name) => {
    if (dir) await page.screenshot({ path: `${dir}/${prefix}${name}.png`, fullPage: true });
  };
}

// One test: no serious or critical axe-core violation on the page (the
// selectors in exclude left out).
export async function axe(page, name, exclude = []) {
  let b = new AxeBuilder({ page });
  for (const sel of exclude) b = b.exclude(sel);
  const res = await b.analyze();
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  ok(bad.length === 0, `axe: no serious or critical violation on ${name}`,
    bad.map((v) => `${v.impact} ${v.id}: ${v.help}\n  ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n  ')}`).join('\n'));
}

// Signs in through the dashboard's login page at admin (BASE/admin).
export async function login(page, admin, email, password) {
  await page.goto(admin + '/login');
  await page.fill(tid('email-input'), email);
  await page.fill(tid('password-input'), password);
  await page.click(tid('login-button'));
}

// Client-side navigation while signed in, as an owner clicks (opening the
// phone menu when the entry is hidden). onMissing(page, navId) runs when the
// entry never showed (a screenshot, say) before the click fails.
export async function go(page, navId, onMissing) {
  const item = page.locator(tid(navId));
  for (let i = 0; i < 3 && !(await item.isVisible()); i++) {
    if (await page.locator(tid('menu-button')).isVisible()) await page.click(tid('menu-button'));
    await item.waitFor({ timeout: 5000 }).catch(() => {});
  }
  if (!(await item.isVisible()) && onMissing) {
    note(`navigation ${navId} not found at ${page.url()}`);
    await onMissing(page, navId);
  }
  await item.click();
}
