// The dashboard's landing-page builder and custom-domain screen in Debian's
// Chromium. Run by t/admin-landing.t, which starts carbotd (auth, keys,
// templates, landing, chat, admin), a premium owner with a live key, and a
// loopback "web site" for the file check, and passes:
//
//   BASE        http://localhost:PORT (carbotd: /admin/, the API)
//   PAGE_URL    http://test-workshop.carbot.localhost:PORT/ (where the page is published)
//   SHOTS       directory for screenshots (landing-*.png)
//   EMAIL, PASSWORD  the owner
//   TOKEN_FILE  where the owner "uploads" the verification file (the site serves it)
//   DOMAIN      the custom domain to verify

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, crc32 } from 'node:zlib';
import { launch, scenario, ok, is, like, note, done, newPage } from './lib.mjs';
import { tid, shooter, axe as axeCheck } from './admin-lib.mjs';

const BASE = process.env.BASE;
const PAGE_URL = process.env.PAGE_URL;
const SHOTS = process.env.SHOTS;
const ADMIN = BASE + '/admin';
const shot = shooter(SHOTS, 'landing-');


// The preview iframe is left out: it is sandboxed without scripts (axe
// cannot run inside and waits for it forever), and what it shows is the
// landing page itself, which t/landing-phones.t checks with axe.
const axe = (page, name) => axeCheck(page, name, [tid('preview-iframe')]);

// A real PNG (a blue plate with a white bar), so the preview <img> decodes it.
function png(w, h) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + w * 3);
    for (let x = 0; x < w; x++) {
      const bar = y > h / 3 && y < (2 * h) / 3 && x > w / 8 && x < (7 * w) / 8;
      row.set(bar ? [255, 255, 255] : [0, 123, 255], 1 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0)),
  ]);
}
const LOGO = join(tmpdir(), `carbot-logo-${process.pid}.png`);
writeFileSync(LOGO, png(160, 64));

async function setLang(page, lang) {
  await page.click(tid('lang-select'));
  await page.getByRole('option', { name: lang.toUpperCase() }).click();
}

// The widget on page p: open it, ask, return the bot's answer.
async function ask(p, text) {
  await p.locator('[data-testid=chat-widget-trigger]').click();
  await p.locator('[data-testid=chat-interface]').waitFor({ state: 'visible' });
  const bot = p.locator('[data-testid=chat-message][data-from=bot]');
  await bot.first().waitFor();
  const before = await bot.count();
  await p.locator('[data-testid=chat-input]').fill(text);
  await p.locator('[data-testid=chat-input]').press('Enter');
  await bot.nth(before).waitFor({ timeout: 30000 });
  return (await bot.nth(before).textContent()) || '';
}

const browser = await launch();
const { page, rec } = await newPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'en-US' });
let pageId = '';
const previews = [];
page.on('requestfinished', async (r) => {
  if (!/\/landing-pages\/[^/]+\/preview$/.test(r.url())) return;
  const resp = await r.response();
  previews.push(`${resp ? resp.status() : '-'} ${resp ? (await resp.body().catch(() => Buffer.alloc(0))).length : 0}B`);
});
page.on('requestfailed', (r) => {
  if (/\/preview$/.test(r.url())) previews.push(`failed ${r.failure()?.errorText}`);
});

await scenario('the spec’s Landing Page Creation Flow', async () => {
  // Login
  await page.goto(ADMIN + '/login');
  await page.fill(tid('email-input'), process.env.EMAIL);
  await page.fill(tid('password-input'), process.env.PASSWORD);
  await page.click(tid('login-button'));
  // Navigate to landing page creation (the dashboard opens on the overview;
  // "Landing pages" in the navigation holds the create button)
  await page.click(tid('nav-landing-pages'));
  await page.locator(tid('empty-state')).waitFor();
  await shot(page, 'list-empty-en-1280');
  await page.click(tid('create-landing-page'));
  like(page.url(), /\/admin\/landing-pages\/create$/, 'the URL is /landing-pages/create');

  // Select template
  await page.locator(tid('template-modern-minimalist')).waitFor();
  const thumbs = page.locator('[data-testid^="template-thumb-"]');
  await thumbs.first().waitFor();
  ok((await thumbs.count()) >= 4, 'the gallery shows the catalogue with drawn previews');
  ok(await page.locator(tid('template-thumb-modern-minimalist')).evaluate((i) => i.complete && i.naturalWidth > 0), 'the preview image of modern-minimalist loaded');
  ok(await page.locator(tid('select-template-button')).isDisabled(), 'nothing chosen yet: the select button waits');
  await page.click(tid('template-modern-minimalist'));
  is(await page.locator(tid('template-modern-minimalist')).getAttribute('aria-checked'), 'true', 'the template is marked chosen');
  await shot(page, 'gallery-en-1280');
  await page.click(tid('select-template-button'));

  // Customize template
  await page.fill(tid('business-name'), 'Test Auto Workshop');
  is(await page.inputValue(tid('subdomain')), 'test-auto-workshop', 'a subdomain is suggested from the name');
  await page.fill(tid('business-description'), 'Professional car repair services');
  await page.fill(tid('subdomain'), 'www');
  await page.locator(tid('subdomain-status') + ':has-text("reserved")').waitFor();
  ok(true, 'a reserved name is refused as it is typed');
  await page.fill(tid('subdomain'), 'test-workshop');
  await page.locator(tid('subdomain-status') + ':has-text("is available")').waitFor();
  like(await page.locator(tid('subdomain-status')).textContent(), /test-workshop\.carbot\.localhost is available/, 'the availability check names the host');
  ok(await page.locator(tid('imprint-warning')).isVisible(), 'a page without Impressum data is warned about');
  // the opening hours: the knowledge base's editor
  await page.click(tid('hours-monday-closed'));
  is(await page.inputValue(tid('hours-monday-0-open')), '08:00', 'Monday opened from the shared hours editor');

  // Upload logo
  await page.setInputFiles(tid('logo-upload'), LOGO);
  await page.locator(tid('logo-preview')).waitFor({ state: 'visible' });
  ok(await page.locator(tid('logo-preview')).isVisible(), 'the logo preview is visible');

  // Customize colors
  await page.fill(tid('primary-color'), '#007bff');
  await page.fill(tid('secondary-color'), '#fafafa');
  await page.locator(tid('contrast-warning')).first().waitFor();
  like(await page.locator(tid('contrast-warning')).first().textContent(), /contrast/, 'a secondary colour that blends into the page is warned about');
  await page.fill(tid('secondary-color'), '#0f172a');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=contrast-warning]').length === 0);
  ok(true, 'a colour pair that can be told apart has no warning');

  // Preview template
  await page.click(tid('preview-button'));
  await page.locator(tid('preview-iframe')).waitFor({ state: 'visible' });
  ok(await page.locator(tid('preview-iframe')).isVisible(), 'the preview iframe is visible');
  const frame = page.frameLocator(tid('preview-iframe'));
  await frame.locator('h1').waitFor();
  like(await frame.locator('h1').textContent(), /Test Auto Workshop/, 'the preview shows the business name');
  pageId = page.url().split('/').pop();
  like(pageId, /^[0-9a-f-]{36}$/, 'the preview saved the draft: the URL names the page');
  ok(await frame.locator('img[src*="/assets/"]').count() >= 1, 'the preview shows the uploaded logo');
  // live: the preview follows typing (debounced, saved as a draft)
  await page.fill(tid('business-description'), 'Professional car repair services in Berlin since 1987');
  await frame.locator('text=in Berlin since 1987').waitFor({ timeout: 15000 });
  ok(true, 'the preview follows what is typed');
  await page.click(tid('preview-phone'));
  is(await page.locator(tid('preview-iframe')).evaluate((f) => f.getBoundingClientRect().width), 390, 'the phone toggle shows the page at 390 px');
  await shot(page, 'editor-preview-en-1280');

  // Publish landing page
  await page.click(tid('publish-button'));
  await page.locator(tid('success-message')).waitFor();
  like(await page.locator(tid('success-message')).textContent(), /Landing page published successfully/, 'success-message says so');
  ok(await page.locator(tid('unpublish-button')).isVisible(), 'a published page can be taken offline');
  is(await page.locator(tid('open-page')).getAttribute('href'), PAGE_URL, 'the open link points at the page’s host');
});

await scenario('the published page at its host, with the chat answering', async () => {
  const v = await newPage(browser, { viewport: { width: 390, height: 844 }, locale: 'de-DE' });
  const resp = await v.page.goto(PAGE_URL);
  is(resp.status(), 200, 'the page is served at its host');
  like(await v.page.locator('h1').first().textContent(), /Test Auto Workshop/, 'its h1 has the business name');
  ok(await v.page.locator('img[src*="/assets/"]').count() >= 1, 'with the logo');
  await v.page.locator('[data-carbot-widget]').waitFor({ state: 'attached' });
  const a = await ask(v.page, 'Wann habt ihr geöffnet?');
  ok(a.trim().length > 10, 'the widget on the page answers', a);
  like(a, /08:00|8 Uhr|8:00/, 'with the hours set in the editor', a);
  await shot(v.page, 'published-page-390');
  ok(v.rec.errors.length === 0, 'no errors on the published page', v.rec.errors.join('\n'));
  await v.context.close();
});

await scenario('a taken subdomain is said as it is typed; the list shows the page', async () => {
  await page.click(tid('nav-landing-pages'));
  await page.locator(tid('landing-row')).first().waitFor();
  like(await page.locator(tid('landing-status')).first().textContent(), /Published/, 'the list shows the status');
  like(await page.locator(tid('landing-host')).first().textContent(), /test-workshop\.carbot\.localhost/, '... and the host');
  await shot(page, 'list-en-1280');
  await page.click(tid('create-landing-page'));
  await page.click(tid('template-classic-workshop'));
  await page.click(tid('select-template-button'));
  await page.fill(tid('business-name'), 'Zweite Werkstatt');
  await page.fill(tid('subdomain'), 'test-workshop');
  await page.locator(tid('subdomain-status') + ':has-text("already taken")').waitFor();
  ok(true, 'the taken subdomain is named as taken');
  await page.click(tid('publish-button'));
  await page.locator(tid('landing-errors')).waitFor();
  ok(true, 'publishing with a taken subdomain shows the error instead of a success');
  is(await page.locator(tid('success-message')).count(), 0, 'and no success message');
});

await scenario('custom domain: a failing check shows its reason, then the file makes it pass', async () => {
  await page.goto(`${ADMIN}/landing-pages/${pageId}/domain`);
  await page.locator(tid('domain-input')).waitFor();
  ok(await page.locator(tid('custom-domain-none')).isVisible(), 'no custom domain yet');
  await page.fill(tid('domain-input'), 'http://not a domain');
  await page.click(tid('domain-submit'));
  await page.locator(tid('domain-error')).waitFor();
  ok(true, 'a malformed domain is refused with the server’s message');
  await page.fill(tid('domain-input'), process.env.DOMAIN);
  await page.check(tid('method-file'));
  await page.click(tid('domain-submit'));
  await page.locator(tid('file-content')).waitFor();
  const token = ((await page.locator(tid('file-content')).textContent()) || '').trim();
  like(token, /^[0-9a-f]{32}$/, 'the file content is the token, copy-ready');
  like(await page.locator(tid('file-url')).textContent(), new RegExp(`https://${process.env.DOMAIN.replace(/\./g, '\\.')}/\\.well-known/carbot-verification\\.txt`), 'the file address');
  like(await page.locator(tid('routing-value')).textContent(), /test-workshop\.carbot\.localhost/, 'and where to point the domain');
  await page.click(tid('method-dns'));
  like(await page.locator(tid('dns-name')).textContent(), /_carbot-verification\./, 'the DNS way shows the TXT record name');
  await page.click(tid('method-file'));
  await shot(page, 'domain-instructions-en-1280');
  await page.click(tid('verify-button'));
  await page.locator(tid('verify-error')).waitFor();
  like(await page.locator(tid('verify-error')).textContent(), /Not verified yet: your website answered with an error/, 'the failed check says why (the file is missing: 404)');
  await shot(page, 'domain-failed-en-1280');
  writeFileSync(process.env.TOKEN_FILE, token + '\n');
  await page.click(tid('verify-button'));
  await page.locator(tid('verify-success')).waitFor();
  like(await page.locator(tid('verify-success')).textContent(), /is verified/, 'with the file in place the check passes');
  await page.locator(tid('custom-domain')).waitFor();
  is((await page.locator(tid('custom-domain')).textContent()).trim(), process.env.DOMAIN, 'the domain is the page’s');
  like(await page.locator(tid('tls-state')).textContent(), /HTTPS: On/, 'and HTTPS is on for it');
  await shot(page, 'domain-verified-en-1280');
});

await scenario('unpublish takes the page offline', async () => {
  await page.goto(`${ADMIN}/landing-pages/${pageId}`);
  await page.locator(tid('unpublish-button')).waitFor();
  await page.click(tid('unpublish-button'));
  await page.getByRole('dialog').getByRole('button', { name: 'Take offline' }).click();
  await page.locator(tid('unpublished-message')).waitFor();
  // (Node cannot resolve *.localhost; Chromium can)
  const v = await page.context().newPage();
  is((await v.goto(PAGE_URL)).status(), 404, 'the host answers 404 once unpublished');
  await page.click(tid('publish-button'));
  await page.locator(tid('success-message')).waitFor();
  is((await v.goto(PAGE_URL)).status(), 200, 'and 200 again after publishing');
  await v.close();
});

await scenario('every new screen: both languages, 390 and 1280 px, axe, screenshots', async () => {
  const screens = [
    ['list', `${ADMIN}/landing-pages`, tid('landing-row')],
    ['gallery', `${ADMIN}/landing-pages/create`, tid('template-modern-minimalist')],
    ['editor', `${ADMIN}/landing-pages/${pageId}`, tid('business-name')],
    ['domain', `${ADMIN}/landing-pages/${pageId}/domain`, tid('custom-domain')],
  ];
  for (const lang of ['de', 'en']) {
    await page.evaluate((l) => localStorage.setItem('carbot.lang', l), lang);
    for (const w of [390, 1280]) {
      await page.setViewportSize({ width: w, height: w < 600 ? 844 : 900 });
      for (const [name, url, sel] of screens) {
        await page.goto(url);
        await page.locator(sel).first().waitFor();
        if (name === 'gallery') await page.locator('[data-testid^="template-thumb-"]').first().waitFor();
        if (name === 'editor') {
          await page.click(tid('preview-button'));
          await page.frameLocator(tid('preview-iframe')).locator('h1').waitFor().catch(async (e) => {
            await shot(page, `FAILED-${name}-${lang}-${w}`);
            const why = await page.locator(tid('preview-error')).textContent({ timeout: 1000 }).catch(() => 'none shown');
            note(`preview error: ${why}; preview requests: ${rec.requests.filter((r) => r.url.includes('/preview')).slice(-3).map((r) => r.url).join(' ')}; finished: ${previews.slice(-4).join(', ')}`);
            throw e;
          });
        }
        await page.waitForTimeout(300);
        is(await page.evaluate(() => document.documentElement.lang), lang, `${name} ${lang} ${w}: lang=${lang}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        ok(overflow <= 0, `${name} ${lang} ${w}: no sideways scrolling`, `overflow ${overflow}px`);
        await shot(page, `${name}-${lang}-${w}`);
        await axe(page, `${name} (${lang}, ${w} px)`);
      }
    }
  }
  await page.evaluate(() => localStorage.setItem('carbot.lang', 'de'));
  await page.goto(`${ADMIN}/landing-pages/${pageId}`);
  await page.locator(tid('publish-button')).click();
  await page.locator(tid('success-message')).waitFor();
  like(await page.locator(tid('success-message')).textContent(), /Landingpage erfolgreich veröffentlicht/, 'the success message in German');
}, 600000);

ok(rec.errors.length === 0, 'no page errors in the dashboard', rec.errors.join('\n'));
await browser.close();
process.exit(done());
