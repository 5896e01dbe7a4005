// A hosted landing page's chat widget in a real browser. Run by
// t/widget-landing.t, which starts carbotd (auth, templates, landing, keys,
// chat), publishes a page and passes:
//
//   PAGE_URL   http://{subdomain}.carbot.localhost:PORT/ (the page by Host)
//   PAGE_HOST  its host name (added to the resolver's EXCLUDEs)
//   PAGE_ID    the page's id (the widget sends it as X-CarBot-Page)
//   HOURS      text the reply to the hours question must contain ("08:00")
//   PRICE_Q    a question for the price of a listed service
//   PRICE      text the reply to it must contain ("39")

import { launch, scenario, ok, is, like, note, done, newPage, apiCalls } from './lib.mjs';

const URL_ = process.env.PAGE_URL;
const TRIGGER = '[data-testid=chat-widget-trigger]';
const PANEL = '[data-testid=chat-interface]';
const INPUT = '[data-testid=chat-input]';

function messages(page) {
  return page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    return [...r.querySelectorAll('[data-testid=chat-message]')].map((m) => ({
      from: m.dataset.from,
      text: m.lastChild.textContent,
    }));
  });
}

async function waitForReply(page, n) {
  await page.waitForFunction((want) => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const ms = r.querySelectorAll('[data-testid=chat-message]');
    const last = ms[ms.length - 1];
    return ms.length >= want && last.dataset.from === 'bot';
  }, n);
  const ms = await messages(page);
  return ms[ms.length - 1];
}

async function ask(page, text) {
  const before = (await messages(page)).length;
  await page.fill(INPUT, text);
  await page.press(INPUT, 'Enter');
  return waitForReply(page, before + 2);
}

async function flow(browser) {
  // a visitor in dark mode: the light page keeps a light chat
  const { context, page, rec } = await newPage(browser, { colorScheme: 'dark' });
  const csp = [];
  const pageHeaders = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/api/v1/widget/')) pageHeaders.push(r.headers()['x-carbot-page']);
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  const resp = await page.goto(URL_);
  is(resp.status(), 200, 'the published page is served by Host');
  like(resp.headers()['content-security-policy'], /connect-src 'self'/, "its CSP allows connect-src 'self'");
  await page.locator('[data-carbot-widget]').waitFor({ state: 'attached' });
  const trigger = page.locator('[data-carbot-widget]').locator(TRIGGER);
  await trigger.waitFor({ state: 'visible' });
  ok(await trigger.isVisible(), 'the widget launcher is there');
  const bg = await trigger.evaluate((b) => getComputedStyle(b).backgroundColor);
  is(bg, process.env.BRAND_RGB, 'the launcher is in the brand colour before the chat is opened');
  is(apiCalls(rec).length, 0, 'no API call before the chat is opened');

  const button = page.locator('main [data-carbot-open], body [data-carbot-open]').first();
  ok((await button.count()) === 1, "the page has an appointment button ([data-carbot-open])");
  await button.click();
  await page.locator('[data-carbot-widget]').locator(PANEL).waitFor({ state: 'visible' });
  ok(true, 'clicking it opens the widget');
  const greeting = await waitForReply(page, 1);
  like(greeting.text, /Autohaus Muster/, 'the greeting names the business', greeting);

  const panelBg = await page.locator('[data-carbot-widget]').locator(PANEL).evaluate((p) => getComputedStyle(p).backgroundColor);
  is(panelBg, 'rgb(255, 255, 255)', 'the chat stays light on the light page in dark mode');
  const hours = await ask(page, 'Wann habt ihr geöffnet?');
  ok(hours.text.includes(process.env.HOURS), `the hours reply mentions ${process.env.HOURS}`, hours.text);
  const price = await ask(page, process.env.PRICE_Q);
  ok(price.text.includes(process.env.PRICE), `the price reply contains ${process.env.PRICE}`, price.text);

  const calls = apiCalls(rec);
  ok(calls.length >= 3, `the widget called the API (${calls.length} calls)`);
  const bodies = calls.map((c) => JSON.parse(c.body || '{}'));
  ok(bodies.every((b) => !('client_key' in b)), 'no client_key in any body', bodies);
  ok(pageHeaders.length >= 3 && pageHeaders.every((h) => h === process.env.PAGE_ID), 'X-CarBot-Page (the page id) on every API call', pageHeaders);
  ok(rec.requests.every((r) => new URL(r.url).hostname === new URL(URL_).hostname), 'every request stays on the page\'s host');
  is(csp.length, 0, 'no CSP violation', csp);
  is(rec.errors.length, 0, 'no page error', rec.errors);
  await context.close();
}

const browser = await launch([process.env.PAGE_HOST]);
note(`Chromium ${browser.version()}, page ${URL_}`);
try {
  await scenario('landing page: launcher, appointment button, hours, price', () => flow(browser));
} finally {
  await browser.close();
}
process.exit(done());
