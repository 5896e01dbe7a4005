// The chat widget in a real browser. Run by t/widget-e2e.t (against carbotd
// with the real plugins) and t/widget-ui.t (against a fake API that can fail
// on demand), which start the servers and pass:
//
//   PAGE_BASE  http://localhost:PORT serving the host pages:
//              /             German page embedding the widget
//              /hostile.html the same with page CSS that tries to restyle it
//              and for SUITE=ui also /en.html (lang en, data-position
//              bottom-left, data-theme dark), /local.html (data-storage
//              local) and /initfail.html (a key whose first /init fails)
//   SUITE      "e2e" or "ui" (the latter adds the fake API's failure cases)
//   SHOTS      optional: a directory to save screenshots in, to look at

import { AxeBuilder } from '@axe-core/playwright';
import { launch, scenario, ok, is, like, note, done, newPage, apiCalls } from './lib.mjs';

const BASE = process.env.PAGE_BASE;
const SUITE = process.env.SUITE || 'e2e';
const MESSAGE = 'Hallo, ich brauche Hilfe mit meinem Auto';
const XSS = '<img src=x onerror=alert(1)>';

const TRIGGER = '[data-testid=chat-widget-trigger]';
const PANEL = '[data-testid=chat-interface]';
const INPUT = '[data-testid=chat-input]';

// ------------------------------------------------------------ helpers

// What the widget shows, read from its shadow root.
function state(page) {
  return page.evaluate(() => {
    const host = document.querySelector('[data-carbot-widget]');
    const r = host && host.shadowRoot;
    if (!r) return null;
    const $ = (s) => r.querySelector(s);
    const shown = (e) => !!e && !e.hidden && e.getClientRects().length > 0;
    const active = r.activeElement;
    return {
      open: shown($('[data-testid=chat-interface]')),
      messages: [...r.querySelectorAll('[data-testid=chat-message]')].map((m) => ({
        from: m.dataset.from,
        text: m.lastChild.textContent,
        fail: m.classList.contains('fail'),
      })),
      chips: [...r.querySelectorAll('[data-testid=chat-suggestion]')].map((b) => b.textContent),
      typing: shown($('[data-testid=chat-typing]')),
      error: shown($('[data-testid=chat-error]')) ? $('[data-testid=chat-error]').textContent : null,
      focus: document.activeElement === host && active ? active.getAttribute('data-testid') || active.className : null,
      pageFocus: document.activeElement && document.activeElement !== host ? document.activeElement.outerHTML.slice(0, 80) : null,
      imgs: r.querySelectorAll('.log img, .ch img').length,
    };
  });
}

// Waits until the widget shows at least n messages and the last is the bot's.
async function waitForReply(page, n) {
  await page.waitForFunction((want) => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const ms = r.querySelectorAll('[data-testid=chat-message]');
    const last = ms[ms.length - 1];
    return ms.length >= want && last.dataset.from === 'bot';
  }, n);
  const s = await state(page);
  return s.messages[s.messages.length - 1];
}

async function openPage(browser, path, opts) {
  const p = await newPage(browser, opts);
  await p.page.goto(BASE + (path || '/'));
  await p.page.locator('[data-carbot-widget]').waitFor({ state: 'visible' });
  return p;
}

// Opens the chat with a click and waits for the greeting.
async function openChat(page) {
  await page.click(TRIGGER);
  await page.locator(PANEL).waitFor({ state: 'visible' });
  return waitForReply(page, 1);
}

// Types text, sends it with Enter, and returns the bot's answer.
async function sendAndWait(page, text) {
  const before = (await state(page)).messages.length;
  await page.fill(INPUT, text);
  await page.press(INPUT, 'Enter');
  return waitForReply(page, before + 2);
}

async function shot(page, name) {
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/${SUITE}-${name}.png` });
}

function storageOf(page) {
  return page.evaluate(() => ({
    cookie: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
    saved: sessionStorage.getItem('carbot_widget') || localStorage.getItem('carbot_widget'),
  }));
}

async function axeSerious(page) {
  const res = await new AxeBuilder({ page }).analyze();
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
}

// ------------------------------------------------------------ scenarios

async function specFlow(browser) {
  const { page, rec, context } = await openPage(browser, '/?utm_source=test#top');
  ok(await page.locator('[data-carbot-widget]').isVisible(), 'spec: [data-carbot-widget] is visible');
  await page.click(TRIGGER);
  ok(await page.locator(PANEL).isVisible(), 'spec: the trigger opens chat-interface');
  const greeting = await waitForReply(page, 1);
  ok(greeting.text.trim().length > 0, 'spec: a greeting is shown', greeting);
  await page.fill(INPUT, MESSAGE);
  await page.press(INPUT, 'Enter');
  await page.locator(`${PANEL} [data-testid=chat-message]:last-child`).waitFor();
  const reply = await waitForReply(page, 3);
  const s = await state(page);
  is(s.messages[1] && s.messages[1].text, MESSAGE, 'spec: the visitor message is shown');
  ok(reply.text.trim().length > 0, 'spec: the last chat-message is a non-empty bot reply', reply);
  note(`bot: ${reply.text}`);
  const lastText = await page.locator('[data-testid=chat-message]:last-child').textContent();
  ok(lastText.trim().length > 0, 'spec: [data-testid=chat-message]:last-child is not empty');
  const chat = apiCalls(rec, 'chat')[0];
  const body = chat ? JSON.parse(chat.body) : {};
  ok(body.client_key && body.session_id && body.message === MESSAGE, 'spec: /chat got key, session and message', body);
  is(body.context && body.context.page_url, BASE + '/', 'spec: page_url without query or fragment');
  is(body.context && body.context.locale, 'de', 'spec: locale from <html lang>');
  is(rec.errors.length, 0, 'spec: no page errors', rec.errors);
  await shot(page, 'open');
  await context.close();
}

async function quickReply(browser) {
  const { page, context } = await openPage(browser);
  await openChat(page);
  let s = await state(page);
  if (!s.chips.length) {
    await sendAndWait(page, MESSAGE);
    s = await state(page);
  }
  if (!ok(s.chips.length > 0, 'quick reply: the bot offers quick replies', s)) return context.close();
  const chip = s.chips[0];
  const before = s.messages.length;
  await page.locator('[data-testid=chat-suggestion]').first().click();
  const reply = await waitForReply(page, before + 2);
  s = await state(page);
  is(s.messages[before].from + ':' + s.messages[before].text, 'visitor:' + chip, 'quick reply: the chip is sent as the visitor message');
  ok(reply.text.trim().length > 0, `quick reply: "${chip}" gets an answer`, reply);
  note(`bot: ${reply.text}`);
  is(s.focus, 'chat-input', 'quick reply: focus stays in the chat (input)');
  await context.close();
}

async function keyboard(browser) {
  const { page, context } = await openPage(browser);
  let s;
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    s = await state(page);
    if (s.focus === 'chat-widget-trigger') break;
  }
  if (!is(s.focus, 'chat-widget-trigger', 'keyboard: Tab reaches the launcher')) return context.close();
  const outline = await page.locator(TRIGGER).evaluate((b) => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth);
  ok(!/^none/.test(outline) && !/ 0px$/.test(outline), 'keyboard: the focused launcher has a visible focus ring', outline);
  await page.keyboard.press('Enter');
  await page.locator(PANEL).waitFor({ state: 'visible' });
  s = await state(page);
  is(s.focus, 'chat-input', 'keyboard: Enter opens the chat and focus moves to the input');
  await waitForReply(page, 1);
  await page.keyboard.type(MESSAGE);
  await page.keyboard.press('Enter');
  const reply = await waitForReply(page, 3);
  ok(reply.text.trim().length > 0, 'keyboard: typing + Enter sends and gets a reply', reply);
  s = await state(page);
  is(s.focus, 'chat-input', 'keyboard: focus stays in the input after the reply');
  await page.keyboard.press('Escape');
  await page.locator(PANEL).waitFor({ state: 'hidden' });
  s = await state(page);
  ok(!s.open, 'keyboard: Escape closes the chat');
  is(s.focus, 'chat-widget-trigger', 'keyboard: focus returns to the launcher');
  await page.keyboard.press('Enter');
  await page.locator(PANEL).waitFor({ state: 'visible' });
  s = await state(page);
  is(s.messages.length, 3, 'keyboard: reopening keeps the conversation');
  await context.close();
}

async function privacy(browser) {
  const { page, rec, context } = await openPage(browser);
  await page.waitForTimeout(1000); // time for anything eager to happen
  let st = await storageOf(page);
  is(st.cookie, '', 'privacy: no cookie before opening');
  is(st.local + st.session, 0, 'privacy: nothing in localStorage or sessionStorage before opening', st);
  is((await context.cookies()).length, 0, 'privacy: the browser holds no cookies at all');
  is(apiCalls(rec).length, 0, 'privacy: no request to the widget API before opening', apiCalls(rec));

  await openChat(page);
  await sendAndWait(page, MESSAGE);
  st = await storageOf(page);
  is(st.session, 1, 'privacy: after opening, the session is kept in sessionStorage');
  is(st.local, 0, 'privacy: ... and nothing in localStorage');
  const sid = st.saved && JSON.parse(st.saved).sid;
  ok(sid, 'privacy: a session id is stored', st);
  is(st.cookie, '', 'privacy: still no cookie after chatting');
  const inits = apiCalls(rec, 'init').length;
  is(JSON.parse(apiCalls(rec, 'init')[0].body).session_id, undefined, 'privacy: the first /init asks for a new session');
  const before = (await state(page)).messages.length;

  await page.reload();
  await page.locator('[data-carbot-widget]').waitFor({ state: 'visible' });
  await page.locator(PANEL).waitFor({ state: 'visible' });
  let s = await state(page);
  ok(s.open, 'reload: the open chat stays open');
  is(s.messages.length, before, 'reload: the conversation is restored');
  st = await storageOf(page);
  is(st.saved && JSON.parse(st.saved).sid, sid, 'reload: the session id survives');
  await sendAndWait(page, 'Wann haben Sie geöffnet?');
  const chats = apiCalls(rec, 'chat');
  const last = JSON.parse(chats[chats.length - 1].body);
  is(last.session_id, sid, 'reload: the next message uses the same session');
  const again = apiCalls(rec, 'init').slice(inits).map((r) => JSON.parse(r.body));
  ok(again.length === 1 && again[0].session_id === sid, 'reload: one /init, resuming the stored session', again);
  await context.close();
}

async function hostileCss(browser) {
  const { page, context } = await openPage(browser, '/hostile.html');
  const box = await page.locator(TRIGGER).boundingBox();
  ok(box && Math.round(box.width) === 56 && Math.round(box.height) === 56, 'host CSS: the launcher keeps its 56 px size', box);
  const vp = page.viewportSize();
  ok(box && box.x + box.width <= vp.width && box.y + box.height <= vp.height && box.x > vp.width / 2, 'host CSS: the launcher stays at the bottom right', box);
  await openChat(page);
  const reply = await sendAndWait(page, MESSAGE);
  ok(reply.text.trim().length > 0, 'host CSS: chatting still works');
  const looks = await page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const cs = (s) => getComputedStyle(r.querySelector(s));
    return {
      input: cs('[data-testid=chat-input]').fontSize,
      bot: cs('[data-from=bot]').color,
      botSize: cs('[data-from=bot]').fontSize,
      send: cs('[data-testid=chat-send]').display,
      launcher: cs('[data-testid=chat-widget-trigger]').display,
      panel: r.querySelector('[data-testid=chat-interface]').getBoundingClientRect().width,
      host: ['opacity', 'filter', 'transform'].map((p) => getComputedStyle(r.host)[p]).join(' '),
    };
  });
  is(looks.input, '16px', 'host CSS: input font stays 16px');
  ok(looks.bot !== 'rgb(255, 0, 0)' && looks.botSize === '15px', 'host CSS: messages keep their colour and size', looks);
  ok(looks.send !== 'none' && looks.launcher !== 'none', 'host CSS: buttons stay visible', looks);
  ok(looks.panel > 300 && looks.panel <= 380, 'host CSS: the panel keeps its width', looks);
  is(looks.host, '1 none none', 'host CSS: the host element is not faded, blurred or scaled');
  await shot(page, 'hostile');
  await context.close();
}

async function axe(browser) {
  const { page, context } = await openPage(browser);
  let v = await axeSerious(page);
  is(v.length, 0, 'axe: no serious or critical violations with the chat closed', v);
  await openChat(page);
  await sendAndWait(page, MESSAGE);
  v = await axeSerious(page);
  is(v.length, 0, 'axe: no serious or critical violations on the open chat', v);
  const aria = await page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const d = r.querySelector('[data-testid=chat-interface]');
    const log = r.querySelector('[role=log]');
    const unlabelled = [...r.querySelectorAll('button')].filter((b) => !(b.getAttribute('aria-label') || b.textContent.trim()));
    return { role: d.getAttribute('role'), label: d.getAttribute('aria-label'), live: log && log.getAttribute('aria-live'), unlabelled: unlabelled.length };
  });
  ok(aria.role === 'dialog' && aria.label, 'a11y: panel is a labelled dialog', aria);
  is(aria.live, 'polite', 'a11y: messages are a polite live log');
  is(aria.unlabelled, 0, 'a11y: every button has a label');
  await context.close();
}

async function xss(browser) {
  const { page, rec, context } = await openPage(browser);
  await openChat(page);
  await sendAndWait(page, XSS);
  await page.waitForTimeout(300);
  const s = await state(page);
  const mine = s.messages.filter((m) => m.from === 'visitor').pop();
  is(mine && mine.text, XSS, 'xss: visitor markup is shown as text');
  is(s.imgs, 0, 'xss: no img element is created in the chat');
  is(rec.dialogs.length, 0, 'xss: no alert dialog', rec.dialogs);
  is(rec.errors.length, 0, 'xss: no page errors', rec.errors);
  await context.close();
}

// ---- fake-API-only cases (SUITE=ui)

async function errorRetry(browser) {
  const { page, context } = await openPage(browser);
  await openChat(page);
  await page.fill(INPUT, 'Fehler-Test');
  await page.press(INPUT, 'Enter');
  await page.locator('[data-testid=chat-error]').waitFor({ state: 'visible' });
  let s = await state(page);
  like(s.error, /nicht gesendet/, 'error: a failed send shows an error');
  ok(s.messages[s.messages.length - 1].fail, 'error: the unsent message is marked');
  ok(!s.typing, 'error: no typing indicator left behind');
  await page.click('[data-testid=chat-retry]');
  const reply = await waitForReply(page, 3);
  s = await state(page);
  ok(reply.text.includes('Fehler-Test'), 'error: retry sends the same message again', reply);
  is(s.error, null, 'error: the error goes away');
  ok(!s.messages[1].fail, 'error: the message is no longer marked');

  await page.fill(INPUT, 'Zu-viel-Test');
  await page.press(INPUT, 'Enter');
  await page.locator('[data-testid=chat-error]').waitFor({ state: 'visible' });
  like((await state(page)).error, /Zu viele/, 'error: 429 says to wait');
  await context.close();
}

async function initFailure(browser) {
  const { page, context } = await openPage(browser, '/initfail.html');
  await page.click(TRIGGER);
  await page.locator('[data-testid=chat-error]').waitFor({ state: 'visible' });
  like((await state(page)).error, /nicht erreichbar/, 'init: a failing /init shows an error');
  await page.click('[data-testid=chat-retry]');
  const greeting = await waitForReply(page, 1);
  ok(greeting.text.length > 0, 'init: retry connects and greets');
  is((await state(page)).error, null, 'init: the error goes away');
  await context.close();
}

async function typingDelay(browser) {
  const { page, context } = await openPage(browser);
  await openChat(page);
  await page.fill(INPUT, 'Langsam bitte');
  const t0 = Date.now();
  await page.press(INPUT, 'Enter');
  const seen = await page.locator('[data-testid=chat-typing]').isVisible();
  ok(seen, 'typing: the typing indicator shows while waiting');
  await waitForReply(page, 3);
  const took = Date.now() - t0;
  ok(took >= 1300, `typing: the reply waits for typing_delay 1500 ms (took ${took} ms)`);
  ok(!(await state(page)).typing, 'typing: the indicator goes away with the reply');
  await context.close();
}

async function header(browser) {
  const { page, context } = await openPage(browser);
  await openChat(page);
  const h = await page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    return { name: r.querySelector('h2').textContent, status: r.querySelector('.st').textContent, label: r.querySelector('[role=dialog]').getAttribute('aria-label') };
  });
  is(h.name, 'Autohaus Müller', 'header: business name from /init');
  like(h.status, /^Gerade geschlossen · öffnet \S/, 'header: closed, with the next opening');
  is(h.label, 'Chat mit Autohaus Müller', 'header: the dialog is labelled with it');
  const reply = await sendAndWait(page, 'html-test');
  is(reply.text, '<b>fett</b> <img src=x onerror=alert(2)>', 'bot text with markup is shown as text');
  is((await state(page)).imgs, 0, '... and creates no element');
  await context.close();
}

async function english(browser) {
  const { page, context } = await openPage(browser, '/en.html');
  is(await page.locator(TRIGGER).getAttribute('aria-label'), 'Open chat', 'locale: English strings for <html lang=en>');
  const box = await page.locator(TRIGGER).boundingBox();
  ok(box.x < 100, 'position: data-position=bottom-left puts the launcher left', box);
  await openChat(page);
  await sendAndWait(page, 'Hello, I need help with my car');
  const bg = await page.locator(PANEL).evaluate((p) => getComputedStyle(p).backgroundColor);
  is(bg, 'rgb(28, 30, 34)', 'theme: data-theme=dark');
  await shot(page, 'dark-left');
  const v = await axeSerious(page);
  is(v.length, 0, 'axe: no serious or critical violations in the dark English widget', v);
  await context.close();
}

async function smallScreen(browser) {
  const { page, context } = await openPage(browser, '/', { viewport: { width: 375, height: 667 } });
  await openChat(page);
  const box = await page.locator(PANEL).boundingBox();
  ok(box.x === 0 && box.y === 0 && box.width === 375 && box.height === 667, 'small screen: the panel fills the screen', box);
  await shot(page, 'phone');
  await page.click('[data-testid=chat-close]');
  await page.locator(PANEL).waitFor({ state: 'hidden' });
  ok(await page.locator(TRIGGER).isVisible(), 'small screen: closing brings the launcher back');
  await context.close();
}

async function localStore(browser) {
  const { page, context } = await openPage(browser, '/local.html');
  await page.waitForTimeout(300);
  let st = await storageOf(page);
  is(st.local + st.session, 0, 'storage=local: nothing stored before opening');
  await openChat(page);
  st = await storageOf(page);
  ok(st.local === 1 && st.session === 0, 'storage=local: the session goes to localStorage', st);
  // A new tab of the same browser profile continues the conversation.
  const other = await context.newPage();
  await other.goto(BASE + '/local.html');
  await other.locator(PANEL).waitFor({ state: 'visible' });
  is((await state(other)).messages.length, 1, 'storage=local: another tab gets the conversation');
  await context.close();
}

async function openerElement(browser) {
  const { page, rec, context } = await openPage(browser);
  await page.click('button[data-carbot-open]');
  await page.locator(PANEL).waitFor({ state: 'visible' });
  await waitForReply(page, 1);
  is((await state(page)).focus, 'chat-input', 'data-carbot-open: a page button opens the chat');
  await page.keyboard.press('Escape');
  await page.locator(PANEL).waitFor({ state: 'hidden' });
  like((await state(page)).pageFocus, /data-carbot-open/, 'data-carbot-open: Escape returns focus to that button');
  await page.waitForTimeout(300);
  const types = apiCalls(rec, 'events').flatMap((r) => JSON.parse(r.body).events.map((e) => e.type));
  ok(types.includes('widget_opened') && types.includes('widget_closed'), 'events: open and close are reported', types);
  await context.close();
}

// The last bot message is fully inside the log's visible box.
function lastBotVisible(page) {
  return page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const log = r.querySelector('.log').getBoundingClientRect();
    const ms = [...r.querySelectorAll('[data-testid=chat-message][data-from=bot]')];
    const m = ms[ms.length - 1].getBoundingClientRect();
    return { ok: m.top >= log.top - 1 && m.bottom <= log.bottom + 1, m: [m.top, m.bottom], log: [log.top, log.bottom] };
  });
}

async function newestVisible(browser) {
  const { page, context } = await openPage(browser, '/', { viewport: { width: 375, height: 560 } });
  await openChat(page);
  await sendAndWait(page, 'Notfall-Test');
  await page.locator('[data-testid=chat-suggestion]').first().waitFor({ state: 'visible' });
  const v = await lastBotVisible(page);
  ok(v.ok, 'newest: the emergency answer is in view above the quick-reply chips', v);
  await shot(page, 'newest-above-chips');
  const links = await page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const ms = [...r.querySelectorAll('[data-testid=chat-message][data-from=bot]')];
    return [...ms[ms.length - 1].querySelectorAll('a')].map((a) => [a.getAttribute('href'), a.textContent]);
  });
  ok(links.some(([h, t]) => h === 'tel:01512345678' && t === '0151 234 5678'), 'links: the phone number is a tel: link', links);
  ok(links.some(([h]) => h === 'mailto:notdienst@autohaus-mueller.de'), 'links: the e-mail address is a mailto: link', links);
  ok(links.some(([h]) => h === 'tel:+49301234567'), 'links: +49 (30) 123 45 67 too', links);
  ok(!links.some(([h]) => /0800|2026|149/.test(h)), 'links: no link for hours, dates or prices', links);
  ok(links.every(([h]) => /^(tel:\+?\d+|mailto:[\w.+-]+@[\w.-]+)$/.test(h)), 'links: every href is a plain tel:/mailto:', links);
  is((await state(page)).imgs, 0, 'links: markup around an address creates no element');
  await context.close();
}

async function phoneModal(browser) {
  const { page, context } = await openPage(browser, '/long.html', { viewport: { width: 375, height: 667 }, hasTouch: true });
  await page.evaluate(() => window.scrollTo(0, 400));
  await openChat(page);
  const info = () =>
    page.evaluate(() => {
      const host = document.querySelector('[data-carbot-widget]');
      const r = host.shadowRoot;
      return {
        modal: r.querySelector('[role=dialog]').getAttribute('aria-modal'),
        inside: document.activeElement === host,
        overflow: getComputedStyle(document.documentElement).overflow,
        y: window.scrollY,
      };
    });
  let s = await info();
  is(s.modal, 'true', 'full screen: the panel is a modal dialog');
  is(s.overflow, 'hidden', 'full screen: the page behind does not scroll');
  let stayed = true;
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
    if (!(await info()).inside) stayed = false;
  }
  ok(stayed, 'full screen: Tab and Shift+Tab stay inside the chat');
  const y0 = (await info()).y;
  await page.mouse.move(180, 300);
  await page.mouse.wheel(0, 600);
  await page.waitForTimeout(300);
  is((await info()).y, y0, `full screen: the wheel does not scroll the page behind (at ${y0})`);
  await page.keyboard.press('Escape');
  await page.locator(PANEL).waitFor({ state: 'hidden' });
  is((await state(page)).focus, 'chat-widget-trigger', 'full screen: Escape returns focus to the launcher');
  s = await info();
  ok(s.modal === null && s.overflow !== 'hidden', 'full screen: closed, the page scrolls again', s);
  await context.close();

  const desk = await openPage(browser, '/long.html', { viewport: { width: 1280, height: 800 } });
  await openChat(desk.page);
  const d = await desk.page.evaluate(() => ({
    modal: document.querySelector('[data-carbot-widget]').shadowRoot.querySelector('[role=dialog]').getAttribute('aria-modal'),
    overflow: getComputedStyle(document.documentElement).overflow,
  }));
  ok(d.modal === null && d.overflow !== 'hidden', 'desktop: the floating panel leaves the page usable', d);
  await desk.context.close();
}

async function slowInit(browser) {
  const { page, context } = await openPage(browser, '/slow.html');
  await page.click(TRIGGER);
  await page.locator(PANEL).waitFor({ state: 'visible' });
  const l = await page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const ty = r.querySelector('[data-testid=chat-typing]');
    return { shown: !ty.hidden, text: ty.textContent, busy: r.querySelector('.log').getAttribute('aria-busy') };
  });
  ok(l.shown && l.text === 'Chat wird geladen…' && l.busy === 'true', 'slow init: a loading state while /init runs', l);
  await waitForReply(page, 1);
  const s = await state(page);
  ok(!s.typing, 'slow init: it goes away with the greeting');
  await context.close();
}

async function unreachable(browser) {
  const { page, context } = await openPage(browser, '/dead.html');
  await page.click(TRIGGER);
  await page.locator('[data-testid=chat-error]').waitFor({ state: 'visible' });
  const e = await page.evaluate(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    const a = r.querySelector('[data-testid=chat-error] a');
    return { text: r.querySelector('[data-testid=chat-error]').textContent, href: a && a.getAttribute('href') };
  });
  like(e.text, /nicht erreichbar.*Rufen Sie uns an: \+49 30 1234567/s, 'unreachable: the error offers the phone number');
  is(e.href, 'tel:+49301234567', 'unreachable: as a tel: link');
  ok(!(await state(page)).typing, 'unreachable: no loading state left behind');
  await shot(page, 'unreachable');
  await context.close();
}

// ------------------------------------------------------------ main

const browser = await launch();
note(`Chromium ${browser.version()}, suite ${SUITE}, pages at ${BASE}`);
try {
  await scenario('spec flow: open, send, reply', () => specFlow(browser));
  await scenario('quick reply', () => quickReply(browser));
  await scenario('keyboard only', () => keyboard(browser));
  await scenario('privacy and reload', () => privacy(browser));
  await scenario('hostile host CSS', () => hostileCss(browser));
  await scenario('axe-core', () => axe(browser));
  await scenario('visitor markup as text', () => xss(browser));
  if (SUITE === 'ui') {
    await scenario('send error and retry', () => errorRetry(browser));
    await scenario('init error and retry', () => initFailure(browser));
    await scenario('typing delay', () => typingDelay(browser));
    await scenario('header and bot text', () => header(browser));
    await scenario('English, left, dark', () => english(browser));
    await scenario('small screen', () => smallScreen(browser));
    await scenario('data-storage=local', () => localStore(browser));
    await scenario('data-carbot-open', () => openerElement(browser));
    await scenario('newest answer above the chips, tappable numbers', () => newestVisible(browser));
    await scenario('full screen: modal, focus trap, scroll lock', () => phoneModal(browser));
    await scenario('slow init: loading state', () => slowInit(browser));
    await scenario('unreachable chat: the phone number', () => unreachable(browser));
  }
} finally {
  await browser.close();
}
process.exit(done());
