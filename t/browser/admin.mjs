// The owner's dashboard (admin-ui, served by the admin plugin at /admin/) in
// Debian's Chromium. Run by t/admin-e2e.t, which starts carbotd with the real
// auth, keys, chat and admin plugins (access tokens living 30 s) and a host
// site, and passes:
//
//   BASE   http://localhost:PORT (carbotd: /admin/, the API, /widget.js)
//   SITE   http://localhost:PORT2 (a blank page on another origin)
//   SHOTS  directory for the screenshots of every screen at 390 and 1280 px
//   EMAIL, PASSWORD  the owner to register through the dashboard

import { launch, scenario, ok, is, like, note, done, newPage } from './lib.mjs';
import { tid, shooter, axe, login as signIn, go as navigate } from './admin-lib.mjs';

const BASE = process.env.BASE;
const SITE = process.env.SITE;
const SHOTS = process.env.SHOTS;
const EMAIL = process.env.EMAIL;
const PASSWORD = process.env.PASSWORD;
const ADMIN = BASE + '/admin';
const shot = shooter(SHOTS);



const login = (page, email = EMAIL, password = PASSWORD) => signIn(page, ADMIN, email, password);

// Picks option of an MUI select opened by the element with testid.
async function pick(page, selectId, optionId) {
  await page.click(tid(selectId));
  await page.click(tid(optionId));
}

// The widget in frame-or-page w: open it, ask, and return the bot's last answer.
async function ask(w, text) {
  const n = await w.locator('[data-testid=chat-message]').count();
  await w.locator('[data-testid=chat-input]').fill(text);
  await w.locator('[data-testid=chat-input]').press('Enter');
  const msgs = w.locator('[data-testid=chat-message][data-from=bot]');
  const before = await msgs.count();
  await w.locator('[data-testid=chat-message]').nth(n + 1).waitFor({ timeout: 30000 });
  await msgs.nth(before).waitFor({ timeout: 30000 });
  return (await msgs.nth(before).textContent()) || '';
}
async function openWidget(w) {
  await w.locator('[data-testid=chat-widget-trigger]').click();
  await w.locator('[data-testid=chat-interface]').waitFor({ state: 'visible' });
  await w.locator('[data-testid=chat-message][data-from=bot]').first().waitFor();
}

const browser = await launch();
const { context, page, rec } = await newPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'de-DE' });
let key = '';
let snippet = '';

await scenario('register through the dashboard', async () => {
  await page.goto(ADMIN + '/');
  await page.waitForURL(/\/admin\/login$/);
  ok(true, 'an anonymous visit lands on the login page');
  await page.click(tid('to-register'));
  await page.click(tid('register-button'));
  ok(await page.locator('text=Bitte eine gültige E-Mail-Adresse eingeben.').isVisible(), 'an empty form shows field errors');
  await page.fill(tid('register-email'), EMAIL);
  await page.fill(tid('register-password'), 'kurz');
  await page.click(tid('register-button'));
  ok(await page.locator('text=Mindestens 8 Zeichen.').isVisible(), 'a short password is refused before sending');
  await page.fill(tid('register-password'), PASSWORD);
  await page.fill(tid('register-companyName'), 'Autohaus Beispiel');
  await page.click(tid('register-button'));
  await page.locator(tid('empty-state')).waitFor();
  like(page.url(), /\/admin\/?$/, 'registered and on the overview');
  like(await page.locator(tid('empty-state')).textContent(), /Client-Schlüssel/, 'the empty overview says to create a key');
  await page.locator(tid('verify-banner')).waitFor();
  like(await page.locator(tid('verify-banner')).textContent(), /bestätigen Sie Ihre E-Mail-Adresse/, 'a new address is not confirmed yet: the banner says so');
  const cookies = await context.cookies(BASE + '/api/v1/auth/refresh');
  const c = cookies.find((x) => x.name === 'carbot_refresh');
  ok(c && c.httpOnly && c.sameSite === 'Strict', 'the refresh token is an HttpOnly SameSite=Strict cookie');
  is(await page.evaluate(() => document.cookie), '', 'JavaScript sees no cookie');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  ok(!/eyJ|refresh/.test(stored), 'no token in localStorage or sessionStorage');
});

await scenario('a wrong password shows an error', async () => {
  const p = await newPage(browser, { viewport: { width: 390, height: 844 }, locale: 'de-DE' });
  await login(p.page, EMAIL, 'Falsches-Passwort-9');
  await p.page.locator(tid('login-error')).waitFor();
  like(await p.page.locator(tid('login-error')).textContent(), /E-Mail oder Passwort ist falsch/, 'the error says so');
  like(p.page.url(), /\/admin\/login$/, 'still on the login page');
  await shot(p.page, 'login-error-390');
  await p.context.close();
});

await scenario('create a test key: one-time reveal, copy, snippet', async () => {
  await page.click(tid('nav-keys'));
  await page.locator(tid('empty-state')).waitFor();
  await page.click(tid('create-key-button'));
  await page.fill(tid('key-domain-input'), 'http://bad domain');
  await page.click(tid('key-create-submit'));
  ok(await page.locator('text=Domain wie werkstatt-beispiel.de').isVisible(), 'a bad domain is refused with a hint');
  await page.fill(tid('key-domain-input'), 'localhost');
  await pick(page, 'key-env-select', 'key-env-test');
  await page.click(tid('key-create-submit'));
  await page.locator(tid('revealed-key')).waitFor();
  key = ((await page.locator(tid('revealed-key')).textContent()) || '').trim();
  like(key, /^cb_test_[0-9a-f]{32}$/, 'the full key is shown');
  snippet = ((await page.locator(tid('embed-snippet')).textContent()) || '').trim();
  like(snippet, new RegExp(`^<script src="${BASE}/widget.js" data-client-key="${key}"`), 'the snippet names /widget.js and the key');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  await page.click(tid('embed-snippet-copy'));
  await page.locator(tid('embed-snippet-copy') + ':has-text("Kopiert")').waitFor();
  is(await page.evaluate(() => navigator.clipboard.readText()), snippet, 'the copy button put the snippet on the clipboard');
  await shot(page, 'keys-reveal-1280');
  await axe(page, 'the key reveal dialog');
  await page.click(tid('reveal-close'));
  await page.locator(tid('key-row')).first().waitFor();
  like(await page.locator(tid('key-row')).first().textContent(), /localhost/, 'the key is listed');
  ok(!(await page.content()).includes(key), 'after closing, the full key is gone from the page');
});

await scenario('the snippet on a page on localhost: the widget answers', async () => {
  const p = await newPage(browser, { viewport: { width: 1280, height: 900 } });
  await p.page.goto(SITE + '/');
  await p.page.setContent(`<!doctype html><html lang="de"><head><title>Werkstatt</title></head><body><h1>Werkstatt</h1>${snippet}</body></html>`);
  await p.page.locator('[data-carbot-widget]').waitFor({ state: 'attached' });
  await openWidget(p.page);
  const a = await ask(p.page, 'Wann habt ihr geöffnet?');
  ok(a.length > 10, 'the widget answered on the owner’s page', a);
  // a lead through the widget API, as a visitor's appointment flow makes one
  const lead = await p.page.evaluate(async ({ base, key }) => {
    const post = (path, body) => fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
    const init = await post('/api/v1/widget/init', { client_key: key, domain: 'localhost' });
    let last;
    for (const m of ['Ich möchte einen Termin', 'Erika Mustermann', '0171 2345678', 'VW Golf 2019', 'Inspektion', 'morgen'])
      last = await post('/api/v1/widget/chat', { client_key: key, session_id: init.session_id, message: m });
    return last.response;
  }, { base: BASE, key });
  like(lead, /Erika Mustermann/, 'a visitor left an appointment request');
  await p.context.close();
});

await scenario('knowledge: edit a price, the preview answers with it', async () => {
  await page.click(tid('nav-knowledge'));
  await page.locator(tid('knowledge-save')).waitFor();
  const frame = page.frameLocator(tid('preview-iframe'));
  await page.locator(tid('preview-iframe')).waitFor();
  await page.click(tid('service-add'));
  await page.fill(tid('service-0-name'), 'Reifenwechsel');
  await page.fill(tid('service-0-price'), '49');
  await page.click(tid('faq-add'));
  await page.fill(tid('faq-0-question'), 'Kann ich mit Karte zahlen?');
  await page.fill(tid('faq-0-answer'), 'Ja, mit EC- und Kreditkarte.');
  await page.click(tid('knowledge-save'));
  await page.getByText('Gespeichert', { exact: true }).waitFor();
  await openWidget(frame);
  let a = await ask(frame, 'Was kostet ein Reifenwechsel?');
  like(a, /49/, 'the preview names the saved price', a);
  await shot(page, 'knowledge-1280');
  await page.fill(tid('service-0-price'), '59');
  const src = await page.locator(tid('preview-iframe')).getAttribute('src');
  await page.click(tid('knowledge-save'));
  // a save reloads the preview: a new frame, the widget afresh
  await page.waitForFunction((old) => {
    const f = document.querySelector('[data-testid=preview-iframe]');
    return f && f.getAttribute('src') !== old;
  }, src);
  const f2 = page.frameLocator(tid('preview-iframe'));
  await f2.locator('[data-testid=chat-widget-trigger]').waitFor({ state: 'attached' });
  await page.waitForTimeout(500); // the widget restores an open chat from its session
  if (!(await f2.locator('[data-testid=chat-interface]').isVisible())) await openWidget(f2);
  a = await ask(f2, 'Was kostet ein Reifenwechsel?');
  like(a, /59/, 'after an edit it names the new price', a);
  ok(!/49/.test(a), '... and not the old one');
});

await scenario('knowledge: an unanswered question becomes an FAQ entry in one click', async () => {
  const q = 'Habt ihr auch einen Hol- und Bringdienst?';
  let f = page.frameLocator(tid('preview-iframe'));
  if (!(await f.locator('[data-testid=chat-interface]').isVisible())) await openWidget(f);
  const before = await ask(f, q);
  ok(!/Abholung vereinbaren/.test(before), 'the bot cannot answer it yet', before);
  // the list of unanswered questions is read afresh when the screen opens
  await page.click(tid('nav-leads'));
  await page.click(tid('nav-knowledge'));
  await page.locator(tid('fallback-list')).waitFor();
  const row = page.locator(tid('fallback-list') + ' li', { hasText: 'Bringdienst' });
  await row.waitFor();
  ok(true, 'the question is listed as unanswered');
  const nFaq = await page.locator(tid('faq-row')).count();
  await row.locator(tid('fallback-to-faq')).click();
  is(await page.locator(tid('faq-row')).count(), nFaq + 1, 'one click adds an FAQ entry');
  is(await page.locator(tid(`faq-${nFaq}-question`)).inputValue(), q, '... with the visitor\'s question filled in');
  await page.waitForTimeout(200);
  is(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), `faq-${nFaq}-answer`, '... and the answer field focused');
  await page.fill(tid(`faq-${nFaq}-answer`), 'Ja, wir holen Ihr Auto ab: Abholung vereinbaren Sie am Telefon.');
  const src = await page.locator(tid('preview-iframe')).getAttribute('src');
  await page.click(tid('knowledge-save'));
  await page.getByText('Gespeichert', { exact: true }).waitFor();
  await page.waitForFunction((old) => {
    const el = document.querySelector('[data-testid=preview-iframe]');
    return el && el.getAttribute('src') !== old;
  }, src);
  f = page.frameLocator(tid('preview-iframe'));
  await f.locator('[data-testid=chat-widget-trigger]').waitFor({ state: 'attached' });
  await page.waitForTimeout(500);
  if (!(await f.locator('[data-testid=chat-interface]').isVisible())) await openWidget(f);
  const after = await ask(f, q);
  like(after, /Abholung vereinbaren/, 'saved: the preview answers it from the new entry', after);
});

await scenario('conversations: the list and a transcript, CSV export', async () => {
  await page.click(tid('nav-conversations'));
  await page.locator(tid('conversation-row')).first().waitFor();
  const n = await page.locator(tid('conversation-row')).count();
  ok(n >= 2, `conversations are listed (${n})`);
  await page.locator(tid('conversation-row')).last().click();
  await page.locator(tid('transcript-message')).first().waitFor();
  like(await page.locator(tid('transcript')).textContent(), /Wann habt ihr geöffnet\?/, 'the transcript shows the visitor’s message');
  ok((await page.locator(tid('transcript-message') + '[data-role=assistant]').count()) >= 1, '... and the bot’s answer');
  await shot(page, 'transcript-1280');
  await axe(page, 'the transcript dialog');
  await page.click(tid('transcript-close'));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(tid('export-csv'))]);
  const path = await dl.path();
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(path, 'utf8');
  like(csv, /^\ufeffid,key,started_at/, 'the CSV has its header');
  is(csv.trim().split('\r\n').length, n + 1, 'one line per listed conversation');
  await page.check(tid('filter-with-lead'));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-row]').length === 1);
  ok(true, 'the with-lead filter leaves the one conversation that made a lead');
  await page.uncheck(tid('filter-with-lead'));
  await page.waitForFunction((want) => document.querySelectorAll('[data-testid=conversation-row]').length === want, n);
  await pick(page, 'filter-intent', 'filter-intent-opening_hours');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-row]').length === 1);
  await page.locator(tid('conversation-row')).click();
  like(await page.locator(tid('transcript')).textContent(), /Wann habt ihr geöffnet\?/, 'the topic filter leaves the conversation about opening hours');
  await page.click(tid('transcript-close'));
  await pick(page, 'filter-intent', 'filter-intent-price');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=conversation-row]').length >= 1);
  await shot(page, 'conversations-filtered-1280');
});

await scenario('leads: the inbox, call link, status change, filter', async () => {
  await page.click(tid('nav-leads'));
  await page.locator(tid('lead-row')).first().waitFor();
  const row = page.locator(tid('lead-row')).first();
  like(await row.textContent(), /Erika Mustermann/, 'the lead is in the inbox');
  is(await row.locator(tid('lead-contact')).getAttribute('href'), 'tel:01712345678', 'click-to-call');
  is(await row.getAttribute('data-status'), 'new', 'status new');
  await row.locator(tid('lead-status-select')).click();
  await page.click(tid('lead-status-contacted'));
  await page.locator(tid('lead-row') + '[data-status=contacted]').waitFor();
  ok(true, 'the status changed to contacted');
  await page.click(tid('leads-filter-new'));
  await page.locator(tid('empty-state')).waitFor();
  ok(true, 'filtering by new shows none');
  await page.click(tid('leads-filter-contacted'));
  await page.locator(tid('lead-row')).first().waitFor();
  ok(true, 'filtering by contacted shows it');
});

await scenario('an expired access token is refreshed silently', async () => {
  // 1. the scheduled refresh (access tokens live 30 s here)
  const before = rec.requests.filter((r) => r.url.endsWith('/api/v1/auth/refresh')).length;
  await page.waitForRequest((r) => r.url().endsWith('/api/v1/auth/refresh'), { timeout: 60000 });
  await page.waitForTimeout(500);
  ok(rec.requests.filter((r) => r.url.endsWith('/api/v1/auth/refresh')).length > before, 'a refresh happened before expiry');
  // 2. a 401 (the token expired while asleep) is answered by a refresh and a retry
  let failed = 0;
  const leadsUrl = (u) => u.pathname === '/api/v1/leads';
  await page.route(leadsUrl, (route) => {
    if (failed++ === 0) return route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthorized","message":"expired"}}' });
    return route.continue();
  });
  const refreshes = rec.requests.filter((r) => r.url.endsWith('/api/v1/auth/refresh')).length;
  await page.click(tid('leads-filter-booked')); // not asked for yet: not cached
  await page.locator(tid('empty-state')).waitFor();
  ok(failed >= 2, 'the refused request was sent again');
  ok(rec.requests.filter((r) => r.url.endsWith('/api/v1/auth/refresh')).length > refreshes, 'after a refresh');
  like(page.url(), /\/admin\/leads$/, 'the owner stayed on the page');
  await page.unroute(leadsUrl);
  // 3. a reload keeps the session (the cookie), the access token was in memory only
  await page.reload();
  await page.locator(tid('lead-row')).first().waitFor();
  like(page.url(), /\/admin\/leads$/, 'a reload stays signed in');
});

// Client-side navigation while signed in, as an owner clicks. (A full reload
// that aborts a refresh in flight presents the rotated cookie once more,
// which auth's refresh_reuse_grace allows: t/auth-cookie.t.)
const go = (page, navId) => navigate(page, navId, (p, id) => shot(p, `FAILED-${id}`));

await scenario('every screen: both languages, 390 and 1280 px, axe, screenshots', async () => {
  const screens = [
    ['overview', 'nav-overview', tid('stat-keys')],
    ['keys', 'nav-keys', tid('key-row')],
    ['knowledge', 'nav-knowledge', tid('knowledge-save')],
    ['conversations', 'nav-conversations', tid('conversation-row')],
    ['leads', 'nav-leads', tid('lead-row')],
  ];
  for (const lang of ['de', 'en']) {
    await page.click(tid('lang-select'));
    await page.getByRole('option', { name: lang.toUpperCase() }).click();
    for (const w of [390, 1280]) {
      await page.setViewportSize({ width: w, height: w < 600 ? 844 : 900 });
      // the layout follows the width a render later: phone menu or side navigation
      await page.locator(tid('menu-button')).waitFor({ state: w < 900 ? 'visible' : 'hidden' });
      for (const [name, navId, sel] of screens) {
        await go(page, navId);
        await page.locator(sel).first().waitFor();
        await page.waitForTimeout(400); // drawer and dialogs finish their transitions
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
  await page.locator(tid('menu-button')).waitFor({ state: 'hidden' });
}, 480000); // 20 screens, each with axe: minutes on a loaded 2-core machine (SAN)

await scenario('keyboard alone: skip link and navigation', async () => {
  await go(page, 'nav-overview');
  await page.locator(tid('stat-keys')).waitFor();
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  await page.keyboard.press('Tab');
  like(await page.evaluate(() => document.activeElement?.className || ''), /skip-link/, 'the first Tab reaches the skip link');
  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'nav-leads');
  }
  ok(reached, 'Tab reaches the leads navigation');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/admin\/leads$/);
  ok(true, 'Enter opens it');
});

await scenario('logged-out and login screens in both languages', async () => {
  await page.click(tid('logout-button'));
  await page.locator(tid('session-notice')).waitFor();
  for (const lang of ['de', 'en'])
    for (const w of [390, 1280]) {
      await page.evaluate((l) => localStorage.setItem('carbot.lang', l), lang);
      await page.setViewportSize({ width: w, height: 844 });
      for (const [name, path] of [['login', '/login'], ['register', '/register']]) {
        await page.goto(ADMIN + path);
        await page.locator(tid(name === 'login' ? 'login-button' : 'register-button')).waitFor();
        await shot(page, `${name}-${lang}-${w}`);
        await axe(page, `${name} (${lang}, ${w} px)`);
      }
    }
  const r = await page.evaluate(() => fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CarBot-Session': 'cookie' }, body: '{}' }).then((x) => x.status));
  is(r, 401, 'after logout the cookie no longer refreshes');
});

await scenario('a session that cannot be refreshed ends on the login page with a message', async () => {
  await page.evaluate(() => localStorage.setItem('carbot.lang', 'de'));
  await login(page);
  await page.locator(tid('stat-keys')).waitFor();
  await page.route('**/api/v1/**', (route) =>
    route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":{"code":"unauthorized","message":"no"}}' }));
  await page.click(tid('nav-keys'));
  await page.locator(tid('session-notice')).waitFor();
  like(await page.locator(tid('session-notice')).textContent(), /Sitzung ist abgelaufen/, 'the login page says the session ended');
  await page.unroute('**/api/v1/**');
});

ok(rec.errors.length === 0, 'no page errors', rec.errors.join('\n'));
await browser.close();
process.exit(done());
