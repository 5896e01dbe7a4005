// The README's addresses in a real browser (run by t/widget-readme.t):
// each page of URLS (space-separated) is opened at phone width, its chat
// launcher opened, a question asked; the answer must be the bot's, not an
// error. SHOTS: directory for screenshots.
import { mkdirSync } from 'node:fs';
import { launch, scenario, ok, is, like, note, done, newPage, apiCalls } from './lib.mjs';

const URLS = process.env.URLS.split(' ');
const SHOTS = process.env.SHOTS;
const W = '[data-carbot-widget]';

async function bubbles(page) {
  return page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    return [...r.querySelectorAll('[data-testid=chat-message]')].map((m) => ({ from: m.dataset.from, text: m.textContent }));
  });
}

async function visit(browser, url, i) {
  const { context, page, rec } = await newPage(browser, { viewport: { width: 390, height: 800 }, isMobile: true, hasTouch: true });
  const statuses = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/v1/widget/')) statuses.push(r.status());
  });
  const resp = await page.goto(url);
  is(resp.status(), 200, `${url}: the page answers 200`);
  const trigger = page.locator(W).locator('[data-testid=chat-widget-trigger]');
  await trigger.click();
  await page.locator(W).locator('[data-testid=chat-input]').waitFor({ state: 'visible' });
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    return r.querySelectorAll('[data-testid=chat-message][data-from=bot]').length >= 1;
  });
  const before = (await bubbles(page)).length;
  await page.locator(W).locator('[data-testid=chat-input]').fill('Wann habt ihr geöffnet?');
  await page.locator(W).locator('[data-testid=chat-input]').press('Enter');
  await page.waitForFunction((n) => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const ms = r.querySelectorAll('[data-testid=chat-message]');
    return ms.length >= n && ms[ms.length - 1].dataset.from === 'bot';
  }, before + 2);
  const ms = await bubbles(page);
  const last = ms[ms.length - 1];
  like(last.text, /08:00|8 Uhr|8:00/, `${url}: the chat answers with the opening hours`, last.text);
  ok(statuses.length >= 2 && statuses.every((s) => s >= 200 && s < 300), `${url}: every widget API call succeeded (${statuses})`, statuses);
  ok(apiCalls(rec, 'chat').length === 1, `${url}: one chat call`);
  is(rec.errors.length, 0, `${url}: no page error`, rec.errors);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/readme-${i}.png` });
  }
  await context.close();
}

// The demo page's legal links lead to real pages on its host, at phone width.
async function legal(browser, url) {
  const { context, page, rec } = await newPage(browser, { viewport: { width: 390, height: 800 }, isMobile: true });
  await page.goto(url);
  for (const [name, title] of [['Impressum', 'Impressum'], ['Datenschutz', 'Datenschutzerklärung']]) {
    await page.goto(url);
    await page.locator('footer a', { hasText: name }).first().click();
    await page.waitForLoadState();
    is(await page.locator('h1').first().textContent(), title, `${name}: the link opens the page`);
    const m = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
    ok(m[0] <= m[1], `${name}: no horizontal scroll at 390 px`, m);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/readme-${name.toLowerCase()}.png`, fullPage: true });
  }
  const r = await page.goto(new URL('/kontakt', page.url()).href);
  is(r.status(), 404, 'another path on the page\'s host: 404');
  like(await page.locator('h1').textContent(), /Seite nicht gefunden/, '... an HTML page saying so');
  is(rec.errors.length, 0, 'legal pages: no page error', rec.errors);
  await context.close();
}

const browser = await launch();
note(`Chromium ${browser.version()}`);
try {
  for (const [i, url] of URLS.entries()) await scenario(`README address ${url}`, () => visit(browser, url, i));
  await scenario('the demo page\'s Impressum and Datenschutz', () => legal(browser, URLS[0]));
} finally {
  await browser.close();
}
process.exit(done());
