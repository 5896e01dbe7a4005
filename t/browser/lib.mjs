// Real-browser test helpers: Debian's Chromium driven by playwright-core
// (never a downloaded browser), and a small TAP producer that the Perl .t
// files re-emit through Test::More (t/browser/CarBot/Browser.pm).
//
// Every line printed is TAP: "ok N - name", "not ok N - name", "# note" and
// the plan "1..N" at the end.

import { chromium } from 'playwright-core';

// Flags from shared/notes/headless-chromium.md: no sandbox (root), and no
// traffic off the machine (Chromium resolves Google hosts even when told not
// to phone home, hence the resolver rules).
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]',
];

// Playwright's launch() gives every run a fresh profile (--user-data-dir in
// a new temp dir) and removes it on close. hosts: test host names served
// here, each added as an EXCLUDE to the resolver rules (names under
// .localhost already are, and reach loopback).
export function launch(hosts = []) {
  const args = ARGS.map((a) =>
    a.startsWith('--host-resolver-rules=') ? a + hosts.map((h) => ', EXCLUDE ' + h).join('') : a,
  );
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args,
    timeout: 60000,
  });
}

// ------------------------------------------------------------------ TAP

let n = 0;
let failed = 0;

function line(s) {
  process.stdout.write(s + '\n');
}

export function note(msg) {
  for (const l of String(msg).split('\n')) line('# ' + l);
}

export function ok(cond, name, detail) {
  n++;
  const clean = String(name).replace(/[\r\n#]+/g, ' ');
  line(`${cond ? 'ok' : 'not ok'} ${n} - ${clean}`);
  if (!cond) {
    failed++;
    if (detail !== undefined) note(typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2));
  }
  return !!cond;
}

export function is(got, want, name) {
  return ok(Object.is(got, want), name, `     got: ${JSON.stringify(got)}\nexpected: ${JSON.stringify(want)}`);
}

export function like(got, re, name) {
  return ok(re.test(String(got)), name, `     got: ${JSON.stringify(got)}\n    like: ${re}`);
}

// Runs fn(); a throw (or a hang past ms) becomes one failing test.
export async function scenario(name, fn, ms = 120000) {
  note(`--- ${name}`);
  const t0 = Date.now();
  let timer;
  const limit = new Promise((_, no) => {
    timer = setTimeout(() => no(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([fn(), limit]);
  } catch (e) {
    ok(false, `${name}: runs to the end`, String((e && e.stack) || e).split('\n').slice(0, 8).join('\n'));
  } finally {
    clearTimeout(timer);
    note(`    (${Date.now() - t0} ms)`);
  }
}

export function done() {
  line(`1..${n}`);
  return failed ? 1 : 0;
}

// --------------------------------------------------------------- pages

// A fresh context (own cookies and storage) and page, recording every
// request URL, dialog and page error so scenarios can assert on them.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  const rec = { requests: [], dialogs: [], errors: [] };
  page.on('request', (r) => rec.requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
  page.on('dialog', (d) => {
    rec.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => rec.errors.push(String(e)));
  page.setDefaultTimeout(30000); // generous: CI machines have 2 cores shared by everything
  return { context, page, rec };
}

// The widget's API calls (POST …/api/v1/widget/NAME) seen so far.
export function apiCalls(rec, name) {
  return rec.requests.filter((r) => r.method === 'POST' && r.url.includes('/api/v1/widget/' + (name || '')));
}
