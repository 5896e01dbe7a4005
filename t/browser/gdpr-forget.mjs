// "Delete my conversation" in a real browser (run by t/gdpr-widget.t against
// carbotd with auth, keys, chat and gdpr): the privacy notice links the
// business's privacy page, the button deletes the session on the server and
// clears the widget's storage.
//   PAGE_BASE  http://localhost:PORT serving / (with data-privacy-url)
import { launch, scenario, ok, is, note, done, newPage, apiCalls } from './lib.mjs';

const BASE = process.env.PAGE_BASE;
const PANEL = '[data-testid=chat-interface]';
const INPUT = '[data-testid=chat-input]';

function shadow(page, fn, arg) {
  return page.evaluate(
    ([src, a]) => {
      const r = document.querySelector('[data-carbot-widget]').shadowRoot;
      return new Function('r', 'a', src)(r, a);
    },
    [fn, arg],
  );
}

const messages = (page) =>
  shadow(page, "return [...r.querySelectorAll('[data-testid=chat-message]')].map((m) => m.lastChild.textContent);");

async function forgetFlow(browser) {
  const { page, rec, context } = await newPage(browser);
  await page.goto(BASE + '/');
  await page.locator('[data-carbot-widget]').waitFor({ state: 'visible' });
  await page.click('[data-testid=chat-widget-trigger]');
  await page.locator(PANEL).waitFor({ state: 'visible' });
  const link = await shadow(page, "const l = r.querySelector('[data-testid=chat-privacy] a'); return l.hidden ? null : l.href;");
  is(link, 'https://werkstatt.example/datenschutz', 'notice: links the business\'s privacy page');
  const text = await shadow(page, "return r.querySelector('[data-testid=chat-privacy]').textContent;");
  ok(/gespeichert/.test(text), 'notice: one line saying what is stored', text);
  await page.fill(INPUT, 'Mein Name ist Max');
  await page.press(INPUT, 'Enter');
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-carbot-widget]').shadowRoot;
    return [...r.querySelectorAll('[data-testid=chat-message]')].some((m) => m.dataset.from === 'bot') &&
      r.querySelectorAll('[data-testid=chat-message]').length >= 3;
  });
  const sid = await page.evaluate(() => JSON.parse(sessionStorage.getItem('carbot_widget') || '{}').sid);
  ok(sid, 'before: the session is stored');
  note('session ' + sid);
  await shadow(page, "r.querySelector('[data-testid=chat-forget]').click(); return 1;");
  await page.waitForFunction(() => sessionStorage.getItem('carbot_widget') === null);
  is(await page.evaluate(() => sessionStorage.length + localStorage.length), 0, 'after: the storage is empty');
  const calls = apiCalls(rec, 'forget');
  is(calls.length, 1, 'one POST /api/v1/widget/forget');
  is(calls.length && JSON.parse(calls[0].body).session_id, sid, 'for the stored session');
  await page.waitForFunction(() => document.querySelector('[data-carbot-widget]').shadowRoot
    .querySelectorAll('[data-testid=chat-message]').length === 1);
  const left = await messages(page);
  ok(left.length === 1 && /gelöscht/.test(left[0]), 'after: only the confirmation is shown', left);
  console.log('# forgotten ' + sid);
  await context.close();
}

const browser = await launch();
try {
  await scenario('delete my conversation', () => forgetFlow(browser));
} finally {
  await browser.close();
}
process.exit(done());
