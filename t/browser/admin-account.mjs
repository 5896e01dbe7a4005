// The dashboard's billing, account and privacy screens in Debian's Chromium.
// Run by t/admin-account.t, which starts carbotd (auth, templates, landing,
// keys, billing in test mode, gdpr, notify, admin), the Stripe stand-in and
// the mail catcher, and passes:
//
//   BASE      http://localhost:PORT (carbotd: /admin/ and the API)
//   STANDIN   the Stripe stand-in (its checkout and portal pages)
//   MAIL      the mail catcher's web side (/messages.json)
//   SHOTS     directory for screenshots; OUT a directory for the export ZIP
//   EMAIL_A   an owner on basic; EMAIL_B an owner in the trial with four keys
//             (the newest B_NEWEST_KEY) and the published page B_PAGE
//   PASSWORD  both owners' password

import { launch, scenario, ok, is, like, note, done, newPage } from './lib.mjs';
import { tid, shooter, axe, login as signIn, go } from './admin-lib.mjs';

const { BASE, STANDIN, MAIL, SHOTS, OUT, EMAIL_A, EMAIL_B, PASSWORD, B_NEWEST_KEY, B_PAGE } = process.env;
const ADMIN = BASE + '/admin';
const shot = shooter(SHOTS);
let pwA = PASSWORD;
const PW2 = 'Anderes-Passwort-55';
const PW3 = 'Neues-Passwort-2026!x';



const login = (page, email, password) => signIn(page, ADMIN, email, password);


// Mails of kind to an address (X-CarBot-Mail), waiting for at least n.
async function mails(kind, to, n = 1) {
  for (let i = 0; i < 300; i++) {
    const all = await fetch(MAIL + '/messages.json').then((r) => r.json());
    const m = all.filter((x) => (x.headers?.['x-carbot-mail'] ?? '') === kind && x.envelope.to.some((a) => a.toLowerCase() === to.toLowerCase()));
    if (m.length >= n) return m;
    await new Promise((r) => setTimeout(r, 200));
  }
  return [];
}
const linkIn = (mail, path) => (String(mail?.text ?? '').match(new RegExp(`${BASE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/admin/${path}\\?token=[0-9a-f]{64}`)) || [''])[0];

const browser = await launch();
const { context, page, rec } = await newPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'de-DE', acceptDownloads: true });

await scenario('the verification mail links to the dashboard, which confirms the address', async () => {
  const [m] = await mails('verify_email', EMAIL_A);
  const link = linkIn(m, 'verify-email');
  like(link, /\/admin\/verify-email\?token=/, 'the mail links to /admin/verify-email', m && m.text);
  await page.goto(link);
  await page.locator(tid('verify-ok')).waitFor();
  like(await page.locator(tid('verify-ok')).textContent(), /bestätigt/, 'the page says the address is confirmed');
  await shot(page, 'account-verify-ok-1280');
  await page.goto(link);
  await page.locator(tid('verify-error')).waitFor();
  ok(true, 'the same link a second time: invalid');
});

await scenario('billing on basic: plan, test mode, usage against the limits', async () => {
  await login(page, EMAIL_A, pwA);
  await page.locator(tid('nav-billing')).waitFor();
  await go(page, 'nav-billing');
  await page.locator(tid('current-plan')).waitFor();
  is(await page.locator(tid('current-plan')).getAttribute('data-plan'), 'basic', 'the current plan is basic');
  ok(await page.locator(tid('test-mode-banner')).isVisible(), 'test mode is said clearly');
  like(await page.locator(tid('test-mode-banner')).textContent(), /Testmodus/, '... in German');
  is(await page.locator(tid('usage-client_keys')).getAttribute('data-limit'), '3', 'keys are limited to 3 on basic');
  like(await page.locator(tid('usage-client_keys-text')).textContent(), /0 von 3/, 'and none is used');
  like(await page.locator(tid('plan-premium-client_keys')).textContent(), /20/, 'premium offers 20 keys');
  ok(await page.locator(tid('contact-enterprise')).isVisible(), 'enterprise is "contact us"');
  await page.locator(tid('invoices-empty')).waitFor();
  ok(true, 'no invoices yet');
  await shot(page, 'billing-basic-1280');
});

await scenario('a declined payment at the checkout shows an error and changes nothing', async () => {
  // yearly: a checkout of the same plan and interval within a minute is the
  // same session (billing's idempotency key), and this one gets declined
  await page.click(tid('interval-year'));
  await page.click(tid('choose-premium'));
  await page.waitForURL((u) => u.href.startsWith(STANDIN + '/checkout/'));
  ok(true, 'upgrade goes to the stand-in\'s checkout page');
  like(await page.locator('body').textContent(), /Local test mode/, 'which says it is test mode');
  await page.getByRole('button', { name: 'Decline' }).click();
  await page.waitForURL(/\/admin\/billing/);
  await page.locator(tid('checkout-error')).waitFor();
  like(await page.locator(tid('checkout-error')).textContent(), /abgelehnt/, 'back in the dashboard: the payment was declined');
  like(page.url(), /\/admin\/billing$/, 'the ?checkout= parameter is gone');
  is(await page.locator(tid('current-plan')).getAttribute('data-plan'), 'basic', 'still basic');
  await shot(page, 'billing-declined-1280');
});

await scenario('upgrade basic -> premium through the stand-in\'s checkout', async () => {
  await page.click(tid('interval-month'));
  await page.click(tid('choose-premium'));
  await page.waitForURL((u) => u.href.startsWith(STANDIN + '/checkout/'));
  like(await page.locator('h1').textContent(), /premium/i, 'the checkout is for premium');
  await page.getByRole('button', { name: 'Pay (test mode)' }).click();
  await page.waitForURL(/\/admin\/billing/);
  await page.locator(tid('checkout-success')).waitFor({ timeout: 60000 });
  like(await page.locator(tid('checkout-success')).textContent(), /Premium/, 'the dashboard says the plan is premium now');
  is(await page.locator(tid('current-plan')).getAttribute('data-plan'), 'premium', 'current plan premium');
  like(await page.locator(tid('current-status')).textContent(), /aktiv/, 'active');
  await page.locator(tid('usage-client_keys') + '[data-limit="20"]').waitFor();
  like(await page.locator(tid('usage-client_keys-text')).textContent(), /0 von 20/, 'the higher key limit is shown');
  is(await page.locator(tid('usage-landing_pages')).getAttribute('data-limit'), '5', 'and 5 landing pages');
  await page.locator(tid('invoice-row')).first().waitFor();
  like(await page.locator(tid('invoice-row')).first().textContent(), /49,00/, 'the invoice is listed');
  ok(!(await page.locator(tid('choose-premium')).isVisible()), 'premium has no buy button any more');
  await shot(page, 'billing-premium-1280');
});

await scenario('manage opens the billing portal, which links back', async () => {
  await page.click(tid('billing-portal'));
  await page.waitForURL((u) => u.href.startsWith(STANDIN + '/portal/'));
  like(await page.locator('body').textContent(), /price_premium_month/, 'the portal shows the subscription');
  await page.getByRole('link', { name: 'Back to CarBot' }).click();
  await page.waitForURL(/\/admin\/billing$/);
  await page.locator(tid('current-plan')).waitFor();
  ok(true, 'back on the billing screen');
});

await scenario('a failed payment: the grace period counts down, paying ends it', async () => {
  const ctl = (path) => fetch(STANDIN + '/_standin/' + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }).then((r) => r.json());
  const state = await fetch(STANDIN + '/_standin/state').then((r) => r.json());
  const sub = Object.values(state.subs).find((x) => x.status === 'active');
  ok(sub, 'A has a subscription at the stand-in');
  await ctl(`subscriptions/${sub.id}/fail_payment`);
  let seen = false;
  for (let i = 0; i < 40 && !seen; i++) {
    await go(page, 'nav-account');
    await go(page, 'nav-billing');
    seen = await page.locator(tid('grace-countdown')).waitFor({ timeout: 1000 }).then(() => true, () => false);
  }
  ok(seen, 'after the failed payment the billing screen counts the grace period down');
  like(await page.locator(tid('grace-countdown')).textContent(), /Noch 7 Tage/, '7 days to fix it');
  like(await page.locator(tid('current-status')).textContent(), /Zahlung fehlgeschlagen/, 'status: payment failed');
  await shot(page, 'billing-grace-1280');
  await ctl(`subscriptions/${sub.id}/pay`);
  let active = false;
  for (let i = 0; i < 40 && !active; i++) {
    await go(page, 'nav-account');
    await go(page, 'nav-billing');
    await page.locator(tid('current-status')).waitFor();
    active = /aktiv/.test(await page.locator(tid('current-status')).textContent()) && !(await page.locator(tid('grace-countdown')).isVisible());
    if (!active) await page.waitForTimeout(500);
  }
  ok(active, 'paid: active again, no countdown');
});

await scenario('a downgrade says first what it would switch off', async () => {
  const p = await newPage(browser, { viewport: { width: 390, height: 844 }, locale: 'de-DE' });
  await login(p.page, EMAIL_B, PASSWORD);
  await p.page.locator(tid('menu-button')).waitFor();
  await go(p.page, 'nav-billing');
  await p.page.locator(tid('trial-countdown')).waitFor();
  like(await p.page.locator(tid('trial-countdown')).textContent(), /noch 14 Tage/, 'the trial counts down (14 days)');
  like(await p.page.locator(tid('usage-client_keys-text')).textContent(), /4 von 20/, 'four keys of 20');
  like(await p.page.locator(tid('usage-landing_pages-text')).textContent(), /1 von 5/, 'one published page of 5');
  ok(await p.page.locator(tid('choose-premium')).isVisible(), 'in the trial premium can be bought to keep it');
  await shot(p.page, 'billing-trial-390');
  await p.page.click(tid('choose-basic'));
  await p.page.locator(tid('downgrade-dialog')).waitFor();
  const keys = await p.page.locator(tid('downgrade-keys') + ' li').allTextContents();
  is(keys.length, 1, 'one key would be switched off (basic allows 3)');
  like(keys[0] || '', new RegExp(B_NEWEST_KEY.replace(/\./g, '\\.')), '... the newest one');
  like(await p.page.locator(tid('downgrade-pages')).textContent(), new RegExp(B_PAGE), 'and the page unpublished');
  await shot(p.page, 'billing-downgrade-390');
  await axe(p.page, 'the downgrade dialog');
  await p.page.click(tid('downgrade-cancel'));
  await p.page.locator(tid('downgrade-dialog')).waitFor({ state: 'hidden' });
  ok(true, 'cancelling the dialog changes nothing');
  await p.context.close();
});

await scenario('account: profile, mails, language', async () => {
  await go(page, 'nav-account');
  await page.locator(tid('profile-save')).waitFor();
  await page.locator(tid('email-verified')).waitFor();
  ok(!(await page.locator(tid('resend-verification')).isVisible()), 'the address shows as confirmed, nothing to send again');
  is(await page.locator(tid('verify-banner')).count(), 0, 'and no banner asks to confirm it');
  await page.fill(tid('profile-lastName'), 'Beispiel');
  await page.click(tid('profile-save'));
  await page.locator(tid('profile-message')).waitFor();
  like(await page.locator(tid('profile-message')).textContent(), /Gespeichert/, 'the profile is saved');
  await page.locator(tid('notify-digest')).waitFor();
  await page.fill(tid('notify-recipients'), 'keine adresse');
  await page.click(tid('notify-save'));
  await page.locator(tid('notify-message') + '[role=alert]').waitFor();
  ok(true, 'a bad recipient is refused with a message');
  await page.fill(tid('notify-recipients'), 'Empfang@Werkstatt.example');
  await page.click(tid('notify-save'));
  await page.waitForFunction(() => document.querySelector('[data-testid=notify-message]')?.textContent?.includes('Gespeichert'));
  is(await page.inputValue(tid('notify-recipients')), 'empfang@werkstatt.example', 'the recipient is stored (lower-cased)');
  await page.check(tid('notify-digest'));
  await page.waitForFunction(() => document.querySelector('[data-testid=notify-digest]')?.checked === true);
  ok(true, 'the daily digest is on');
  await page.click(tid('account-language'));
  await page.click(tid('account-language-en'));
  await page.locator('text=Account and privacy').first().waitFor();
  is(await page.evaluate(() => document.documentElement.lang), 'en', 'the dashboard is English now');
  await page.waitForFunction(() => document.querySelector('[data-testid=notify-message]')?.textContent?.includes('Saved'));
  ok(true, 'and the language of the mails is saved');
  await page.click(tid('lang-select'));
  await page.getByRole('option', { name: 'DE' }).click();
  await page.locator('text=Konto und Datenschutz').first().waitFor();
});

await scenario('privacy: retention 30..1095 days', async () => {
  await page.check(tid('retention-limit'));
  await page.fill(tid('retention-days'), '10');
  ok(await page.locator(tid('retention-save')).isDisabled(), '10 days are refused before sending');
  like(await page.locator(tid('privacy-retention')).textContent(), /Zwischen 30 und 1095/, 'with the range');
  await page.fill(tid('retention-days'), '90');
  await page.click(tid('retention-save'));
  await page.locator(tid('retention-message')).waitFor();
  like(await page.locator(tid('retention-message')).textContent(), /Gespeichert/, '90 days saved');
});

await scenario('privacy: export requested, ready, downloaded', async () => {
  await page.click(tid('export-request'));
  await page.locator(tid('export-ready')).waitFor({ timeout: 90000 });
  like(await page.locator(tid('export-ready')).textContent(), /fertig/, 'the export is ready');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(tid('export-download'))]);
  await dl.saveAs(`${OUT}/export.zip`);
  like(dl.suggestedFilename(), /\.zip$/, 'a ZIP is downloaded');
  await shot(page, 'account-export-1280');
});

await scenario('password change: the wrong current password, then the right one', async () => {
  await page.fill(tid('password-current'), 'Falsch-Falsch-1');
  await page.fill(tid('password-new'), PW2);
  await page.fill(tid('password-repeat'), PW2);
  await page.click(tid('password-save'));
  await page.locator(tid('password-message')).waitFor();
  like(await page.locator(tid('password-message')).textContent(), /aktuelle Passwort ist falsch/, 'the wrong current password is said');
  await page.fill(tid('password-current'), pwA);
  await page.fill(tid('password-new'), PW2);
  await page.fill(tid('password-repeat'), PW2 + 'x');
  await page.click(tid('password-save'));
  like(await page.locator(tid('account-password')).textContent(), /stimmen nicht überein/, 'a mismatch is caught before sending');
  await page.fill(tid('password-repeat'), PW2);
  await page.click(tid('password-save'));
  await page.waitForFunction(() => document.querySelector('[data-testid=password-message]')?.textContent?.includes('geändert'));
  pwA = PW2;
  ok(true, 'the password is changed');
  await go(page, 'nav-overview');
  await go(page, 'nav-account');
  await page.locator(tid('profile-save')).waitFor();
  ok(true, 'this session goes on with the new tokens');
});

await scenario('account deletion: wrong password changes nothing; requested, then cancelled at login', async () => {
  await page.click(tid('delete-account'));
  await page.fill(tid('delete-password'), 'Falsch-Falsch-1');
  await page.click(tid('delete-confirm'));
  await page.locator(tid('delete-error')).waitFor();
  like(await page.locator(tid('delete-error')).textContent(), /falsch.*nichts geändert/, 'the wrong password is said, nothing changed');
  await shot(page, 'account-delete-dialog-1280');
  await axe(page, 'the deletion dialog');
  await page.click(tid('delete-cancel'));
  await go(page, 'nav-billing');
  await page.locator(tid('current-plan')).waitFor();
  is(await page.locator(tid('current-plan')).getAttribute('data-plan'), 'premium', 'still signed in, still premium');
  await go(page, 'nav-account');
  await page.click(tid('delete-account'));
  await page.fill(tid('delete-password'), pwA);
  await page.click(tid('delete-confirm'));
  await page.waitForURL(/\/admin\/account-deletion$/);
  await page.locator(tid('deletion-scheduled')).waitFor();
  like(await page.locator(tid('deletion-scheduled')).textContent(), /in 30 Tagen/, 'the deletion is planned in 30 days, and said so');
  await shot(page, 'account-deletion-scheduled-1280');
  is(await page.inputValue(tid('deletion-email')), EMAIL_A, 'the cancel form knows the address');
  await page.fill(tid('deletion-password'), 'Falsch-Falsch-1');
  await page.click(tid('deletion-cancel'));
  await page.locator(tid('deletion-error')).waitFor();
  like(await page.locator(tid('deletion-error')).textContent(), /keine Löschung geplant/, 'a wrong password cancels nothing');
  await login(page, EMAIL_A, 'Falsch-Falsch-1');
  await page.locator(tid('login-error')).waitFor();
  ok(!(await page.locator(tid('login-pending-erasure')).isVisible()), 'signing in with a wrong password: just the usual error');
  await page.fill(tid('password-input'), pwA);
  await page.click(tid('login-button'));
  await page.locator(tid('login-pending-erasure')).waitFor();
  like(await page.locator(tid('login-pending-erasure')).textContent(), /Löschung dieses Kontos ist geplant/, 'with the right one: the login says the deletion is planned');
  like(page.url(), /\/admin\/login$/, 'and does not sign in');
  await shot(page, 'account-login-pending-1280');
  await axe(page, 'the login with a planned deletion');
  await page.click(tid('login-cancel-deletion'));
  await page.waitForURL(/\/admin\/account-deletion$/);
  is(await page.inputValue(tid('deletion-email')), EMAIL_A, 'its cancel button leads to the cancel form, the address filled in');
  await page.fill(tid('deletion-password'), pwA);
  await page.click(tid('deletion-cancel'));
  await page.waitForURL(/\/admin\/account$/);
  await page.locator(tid('deletion-cancelled')).waitFor();
  ok(true, 'cancelled, signed in, back on the account page');
  await go(page, 'nav-billing');
  await page.locator(tid('current-plan')).waitFor();
  is(await page.locator(tid('current-plan')).getAttribute('data-plan'), 'premium', 'the plan is still premium');
});

await scenario('every new screen: both languages, 390 and 1280 px, axe, screenshots', async () => {
  const screens = [
    ['billing', 'nav-billing', tid('invoice-row')],
    ['account', 'nav-account', tid('retention-save')],
  ];
  for (const lang of ['de', 'en']) {
    await page.click(tid('lang-select'));
    await page.getByRole('option', { name: lang.toUpperCase() }).click();
    for (const w of [390, 1280]) {
      await page.setViewportSize({ width: w, height: w < 600 ? 844 : 900 });
      await page.locator(tid('menu-button')).waitFor({ state: w < 900 ? 'visible' : 'hidden' });
      for (const [name, navId, sel] of screens) {
        await go(page, navId);
        await page.locator(sel).first().waitFor();
        await page.waitForTimeout(400);
        is(await page.evaluate(() => document.documentElement.lang), lang, `${name} ${lang} ${w}: lang=${lang}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        ok(overflow <= 0, `${name} ${lang} ${w}: no sideways scrolling`, `overflow ${overflow}px`);
        await shot(page, `${name}-${lang}-${w}`);
        await axe(page, `${name} (${lang}, ${w} px)`);
      }
    }
  }
  await page.click(tid('lang-select'));
  await page.getByRole('option', { name: 'DE' }).click();
  await page.setViewportSize({ width: 1280, height: 900 });
  const p = await newPage(browser, { viewport: { width: 390, height: 844 }, locale: 'de-DE' });
  const pub = [
    ['forgot', '/forgot-password', 'forgot-submit'],
    ['deletion', '/account-deletion', 'deletion-cancel'],
    ['verify-invalid', '/verify-email?token=nope', 'verify-error'],
    ['reset-invalid', '/reset-password?token=nope', 'reset-error'],
    ['reset', '/reset-password?token=' + 'ab'.repeat(32), 'reset-submit'],
  ];
  for (const lang of ['de', 'en'])
    for (const w of [390, 1280]) {
      await p.page.goto(ADMIN + '/login');
      await p.page.evaluate((l) => localStorage.setItem('carbot.lang', l), lang);
      await p.page.setViewportSize({ width: w, height: 844 });
      for (const [name, path, sel] of pub) {
        await p.page.goto(ADMIN + path);
        await p.page.locator(tid(sel)).waitFor();
        is(await p.page.evaluate(() => document.documentElement.lang), lang, `${name} ${lang} ${w}: lang=${lang}`);
        await shot(p.page, `account-${name}-${lang}-${w}`);
        await axe(p.page, `${name} (${lang}, ${w} px)`);
      }
    }
  await p.context.close();
}, 480000); // 20 and more screens, each with axe: minutes on a loaded 2-core machine (SAN)

await scenario('sign out everywhere ends the other devices\' sessions too', async () => {
  const other = await newPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
  await login(other.page, EMAIL_A, pwA);
  await other.page.locator(tid('nav-account')).waitFor();
  await go(page, 'nav-account');
  await page.click(tid('logout-all'));
  await page.click(tid('confirm-ok'));
  await page.locator(tid('session-notice')).waitFor();
  like(await page.locator(tid('session-notice')).textContent(), /allen Geräten abgemeldet/, 'the login page says so');
  await other.page.reload();
  await other.page.waitForURL(/\/admin\/login$/);
  ok(true, 'the other device is signed out as well');
  await other.context.close();
});

await scenario('forgot password: the mail links to the reset page, the new password works', async () => {
  const p = await newPage(browser, { viewport: { width: 390, height: 844 }, locale: 'de-DE' });
  await p.page.goto(ADMIN + '/login');
  await p.page.click(tid('to-forgot'));
  await p.page.fill(tid('forgot-email'), EMAIL_A);
  await p.page.click(tid('forgot-submit'));
  await p.page.locator(tid('forgot-sent')).waitFor();
  ok(true, 'the page says a link was sent (if the account exists)');
  const [m] = await mails('password_reset', EMAIL_A);
  const link = linkIn(m, 'reset-password');
  like(link, /\/admin\/reset-password\?token=/, 'the mail links to /admin/reset-password', m && m.text);
  await p.page.goto(link);
  await p.page.fill(tid('reset-password'), 'kurz');
  await p.page.fill(tid('reset-repeat'), 'kurz');
  await p.page.click(tid('reset-submit'));
  like(await p.page.locator('form').textContent(), /Mindestens 8 Zeichen/, 'a short password is refused before sending');
  await p.page.fill(tid('reset-password'), PW3);
  await p.page.fill(tid('reset-repeat'), PW3);
  await p.page.click(tid('reset-submit'));
  await p.page.locator(tid('reset-ok')).waitFor();
  await shot(p.page, 'account-reset-ok-390');
  await p.page.goto(link);
  await p.page.fill(tid('reset-password'), PW3 + 'y');
  await p.page.fill(tid('reset-repeat'), PW3 + 'y');
  await p.page.click(tid('reset-submit'));
  await p.page.locator(tid('reset-error')).waitFor();
  ok(true, 'the link works once');
  await login(p.page, EMAIL_A, PW3);
  await p.page.locator(tid('menu-button')).waitFor();
  ok(true, 'signed in with the new password');
  await p.context.close();
});

ok(rec.errors.length === 0, 'no page errors', rec.errors.join('\n'));
note(`${rec.requests.length} requests`);
await context.close();
await browser.close();
process.exit(done());
