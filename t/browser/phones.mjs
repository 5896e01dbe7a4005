// Every template at phone, tablet and desktop widths (run by
// t/landing-phones.t). PAGES: {template: url}; SHOTS: screenshot dir;
// BRAND_RGB: the launcher's expected colour; FIELDS: texts every template
// must show.
import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { launch, scenario, ok, is, note, done, newPage } from './lib.mjs';

const PAGES = JSON.parse(process.env.PAGES);
const SHOTS = process.env.SHOTS;
const FIELDS = JSON.parse(process.env.FIELDS);
const WIDTHS = [320, 360, 390, 768, 1280];
mkdirSync(SHOTS, { recursive: true });

async function check(browser, tid, url, width) {
  const phone = width < 480;
  const { context, page, rec } = await newPage(browser, { viewport: { width, height: 800 }, isMobile: phone, hasTouch: phone });
  await page.goto(url);
  await page.locator('[data-carbot-widget]').waitFor({ state: 'attached' });
  const m = await page.evaluate(() => {
    const de = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > de.clientWidth + 1 && getComputedStyle(e).position !== 'fixed')
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
    const header = document.querySelector('header');
    const hs = getComputedStyle(header);
    const logo = document.querySelector('header img');
    return {
      sw: de.scrollWidth,
      cw: de.clientWidth,
      wide,
      sticky: hs.position === 'sticky' || hs.position === 'fixed',
      headerH: header.getBoundingClientRect().height,
      logo: logo && (() => {
        const cs = getComputedStyle(logo);
        const px = (p) => parseFloat(cs[p]) || 0;
        // the image's own box, without a backing's padding
        return { w: logo.clientWidth - px('paddingLeft') - px('paddingRight'), h: logo.clientHeight - px('paddingTop') - px('paddingBottom') };
      })(),
      text: document.body.innerText,
    };
  });
  ok(m.sw <= m.cw, `${tid} @${width}: no horizontal scroll (${m.sw} <= ${m.cw})`, m.wide);
  if (phone && m.sticky) ok(m.headerH <= 96, `${tid} @${width}: the sticky header stays small (${Math.round(m.headerH)} px)`);
  if (m.logo) {
    const ratio = m.logo.w / m.logo.h;
    ok(Math.abs(ratio - 4) < 0.15 && m.logo.h >= 24, `${tid} @${width}: the wide logo keeps its 4:1 ratio (${Math.round(m.logo.w)}x${Math.round(m.logo.h)})`);
  } else ok(false, `${tid} @${width}: the logo is shown`);
  const lc = page.locator('[data-carbot-widget]').locator('[data-testid=chat-widget-trigger]');
  await lc.waitFor({ state: 'visible' });
  is(await lc.evaluate((b) => getComputedStyle(b).backgroundColor), process.env.BRAND_RGB, `${tid} @${width}: launcher in the brand colour before opening`);
  if (width === 390) {
    for (const f of FIELDS) ok(m.text.includes(f), `${tid}: shows "${f}"`);
    await page.screenshot({ path: `${SHOTS}/phones-${tid}-${width}.png`, fullPage: true });
    const res = await new AxeBuilder({ page }).withRules(['color-contrast', 'link-in-text-block']).analyze();
    const bad = res.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ') + ' ' + (n.any[0] || {}).message).slice(0, 4) }));
    ok(bad.length === 0, `${tid}: every text at WCAG AA contrast`, bad);
  }
  if (phone) {
    await lc.click();
    const panel = page.locator('[data-carbot-widget]').locator('[data-testid=chat-interface]');
    await panel.waitFor({ state: 'visible' });
    const send = await page.locator('[data-carbot-widget]').locator('[data-testid=chat-send]').boundingBox();
    const close = await page.locator('[data-carbot-widget]').locator('[data-testid=chat-close]').boundingBox();
    ok(send.x + send.width <= width && close.x + close.width <= width && close.y >= 0, `${tid} @${width}: the opened chat's send and close buttons are on screen`, { send, close });
    if (width === 390) await page.screenshot({ path: `${SHOTS}/phones-${tid}-${width}-chat.png` });
  }
  is(rec.errors.length, 0, `${tid} @${width}: no page error`, rec.errors);
  await context.close();
}

const browser = await launch();
note(`Chromium ${browser.version()}`);
try {
  for (const [tid, url] of Object.entries(PAGES))
    for (const w of WIDTHS) await scenario(`${tid} at ${w} px`, () => check(browser, tid, url, w));
} finally {
  await browser.close();
}
process.exit(done());
