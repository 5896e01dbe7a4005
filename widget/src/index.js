// CarBot chat widget.
//
//   <script src="https://HOST/widget.js" data-client-key="cb_prod_…" async></script>
//
// On a hosted landing page, data-carbot-page="{page id}" instead of the key:
// the API finds the page's owner and key from the page id and the Origin.
//
// Optional data-* on that tag: data-locale ("de", "en-GB"), data-position
// ("bottom-right", "bottom-left", "center"), data-theme ("light", "dark",
// "auto"), data-primary-color ("#1d4ed8"), data-api (API origin; default the
// script's own origin), data-storage ("session", the default, or "local"),
// data-phone (offered when the chat cannot be reached), data-privacy-url
// (https: the business's privacy page, linked in the one-line notice).
// Any element with data-carbot-open on the page opens the chat when clicked.
//
// Privacy: until the visitor first opens the chat the widget makes no
// request and writes nothing to cookies or storage; only the launcher is drawn.

import { createApi } from './api.js';
import { strings, pickLang } from './i18n.js';
import { createStore } from './store.js';
import { createUi } from './ui.js';

const MAX_TYPING_MS = 3000; // a server asking for longer would only annoy
const MAX_SAVED_MESSAGES = 50;

// Read while the script runs: document.currentScript is null afterwards.
function scriptOptions() {
  const s = document.currentScript || document.querySelector('script[data-client-key],script[data-carbot-page]');
  const d = (s && s.dataset) || {};
  let origin = '';
  try {
    origin = new URL(s.src, location.href).origin;
  } catch (e) {
    /* inline script: data-api must say where the API is */
  }
  return {
    key: d.clientKey || '',
    page: d.carbotPage || '',
    api: d.api || origin,
    locale: d.locale || document.documentElement.lang || navigator.language || '',
    position: d.position,
    theme: d.theme,
    color: d.primaryColor,
    phone: d.phone || '',
    storage: d.storage === 'local' ? 'local' : 'session',
    privacy: d.privacyUrl || '',
  };
}

// Page address without query and fragment: those often carry personal data
// (e-mail links, tokens) that the bot does not need.
function pageUrl() {
  return location.origin + location.pathname;
}

function start(opts) {
  const lang = pickLang(opts.locale);
  const t = strings(lang);
  const api = createApi(opts.api, opts);
  const store = createStore(opts.storage, opts.key || 'page:' + opts.page);
  const ui = createUi(t);
  const el = ui.el;
  const st = {
    sid: null, // session id from /init
    live: false, // /init answered on this page (config is current)
    cfg: {}, // server config from /init
    msgs: [], // transcript [{f: "bot"|"visitor", t: text}]
    chips: [],
    open: false,
    busy: false,
    pending: null, // visitor text not yet answered
    pendingEl: null,
    initP: null, // the /init in flight
    opener: null, // element to return focus to on close
  };

  // Effective settings: the page's data-* win over the business's config.
  function settings() {
    const c = st.cfg;
    return {
      name: c.business_name || t('bot'),
      theme: opts.theme || c.theme || 'light',
      position: opts.position || c.position,
      color: opts.color || c.primary_color,
      placeholder: c.placeholder_text || c.placeholder || t('placeholder'),
      avatar: c.avatar_url,
      openNow: c.open_now,
      nextOpen: c.next_open,
    };
  }

  function save() {
    store.save({ sid: st.sid, cfg: st.cfg, msgs: st.msgs.slice(-MAX_SAVED_MESSAGES), chips: st.chips, open: st.open });
  }

  function say(from, text) {
    st.msgs.push({ f: from, t: text });
    return ui.addMessage(from, text, from === 'bot' ? settings().name : t('you'));
  }

  function showChips(list) {
    st.chips = Array.isArray(list) ? list : [];
    ui.setChips(st.chips, pick);
  }

  // Events are best effort: analytics must never disturb the chat.
  function track(type, data) {
    if (!st.sid) return;
    const ev = data ? { type, data } : { type };
    api.post('events', { session_id: st.sid, events: [ev] }, { keepalive: true }).catch(() => {});
  }

  // One /init at a time; resolves when this page has a session. A session
  // kept from an earlier page is resumed (session_id sent along), which also
  // refreshes the config (open now or not); if that refresh fails the kept
  // session and config simply go on. The data-* overrides stay local: the
  // server has nothing to do with how this page wants the widget to look.
  function ensureSession() {
    if (st.live) return Promise.resolve();
    if (!st.initP) {
      const body = { domain: location.hostname, locale: lang };
      const kept = st.sid;
      if (kept) body.session_id = kept;
      st.initP = api.post('init', body).then(
        (r) => {
          st.initP = null;
          st.live = true;
          st.sid = r.session_id || kept;
          st.cfg = r.config || {};
          ui.apply(settings());
          if (!st.msgs.length) {
            say('bot', st.cfg.greeting_message || st.cfg.greeting || t('greeting'));
            showChips(st.cfg.suggestions || r.suggestions);
          }
          save();
        },
        (e) => {
          st.initP = null;
          if (kept) {
            st.live = true;
            return;
          }
          throw e;
        },
      );
    }
    return st.initP;
  }

  function connect() {
    ui.setError(null);
    const loading = !st.msgs.length;
    if (loading) ui.setLoading(true);
    ensureSession().then(
      () => {
        if (loading) ui.setLoading(false);
        track('widget_opened');
      },
      (e) => {
        if (loading) ui.setLoading(false);
        ui.setError(e.status === 429 ? t('errBusy') : t('errInit'), connect);
        // a number to call instead: the page's, or the one the business gave before
        ui.setCall(opts.phone || st.cfg.phone || '');
      },
    );
  }

  // Full screen (phones): a modal dialog. Tab stays inside, the page
  // behind does not scroll; both end when the chat closes or grows small.
  const phone = window.matchMedia ? matchMedia('(max-width: 479px)') : { matches: false };
  let locked = null;
  function modal(on) {
    on = on && phone.matches;
    if (on) el.panel.setAttribute('aria-modal', 'true');
    else el.panel.removeAttribute('aria-modal');
    const de = document.documentElement;
    if (on && !locked) {
      locked = { h: de.style.overflow, b: document.body.style.overflow };
      de.style.overflow = 'hidden';
      document.body.style.overflow = 'hidden';
    } else if (!on && locked) {
      de.style.overflow = locked.h;
      document.body.style.overflow = locked.b;
      locked = null;
    }
  }
  if (phone.addEventListener) phone.addEventListener('change', () => modal(st.open));
  function trap(e) {
    if (e.key !== 'Tab' || !st.open || !phone.matches) return;
    const all = [...el.panel.querySelectorAll('button,input,a[href]')].filter((n) => !n.disabled && n.getClientRects().length);
    if (!all.length) return;
    const first = all[0];
    const last = all[all.length - 1];
    const cur = ui.root.activeElement;
    if (e.shiftKey && (cur === first || !el.panel.contains(cur))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (cur === last || !el.panel.contains(cur))) {
      e.preventDefault();
      first.focus();
    }
  }

  function open(focusInput, opener) {
    if (!st.open) {
      st.open = true;
      st.opener = opener || el.launcher;
      store.enable(); // the visitor acted: from now on the session may be kept
      ui.show(true);
      modal(true);
      save();
      if (!st.live) connect();
    }
    if (focusInput) el.input.focus();
  }

  // Closing from inside the panel (Escape, the header's button) hands focus
  // back to whatever opened the chat; the launcher keeps it when it closes.
  function close() {
    if (!st.open) return;
    const inside = el.panel.contains(ui.root.activeElement);
    st.open = false;
    ui.show(false);
    modal(false);
    save();
    track('widget_closed');
    if (inside) {
      const back = st.opener && st.opener.isConnected ? st.opener : el.launcher;
      back.focus();
    }
  }

  // The server no longer knows the session (expired): start a new one.
  function sessionGone(e) {
    return (e.status === 400 || e.status === 404 || e.status === 410) && /session/i.test(e.code);
  }

  function send(text) {
    text = text.trim();
    if (!text || st.busy) return false;
    st.pending = text;
    st.pendingEl = say('visitor', text);
    save();
    deliver(false);
    return true;
  }

  // Sends st.pending; shows the reply after the server's typing delay.
  function deliver(renewed) {
    if (st.busy || st.pending === null) return;
    st.busy = true;
    ui.setBusy(true);
    ui.setError(null);
    showChips([]);
    ui.setTyping(true);
    st.pendingEl.classList.remove('fail');
    const started = Date.now();
    ensureSession()
      .then(() =>
        api.post('chat', {
          session_id: st.sid,
          message: st.pending,
          context: { page_url: pageUrl(), user_agent: navigator.userAgent, locale: lang },
        }),
      )
      .then((r) => {
        const delay = Math.min(Math.max(Number(r.typing_delay) || 0, 0), MAX_TYPING_MS);
        return new Promise((ok) => setTimeout(ok, delay - (Date.now() - started))).then(() => r);
      })
      .then(
        (r) => {
          finish();
          if (r.session_id) st.sid = r.session_id;
          st.pending = st.pendingEl = null;
          say('bot', String(r.response || ''));
          showChips(r.suggestions);
          save();
        },
        (e) => {
          finish();
          if (!renewed && sessionGone(e)) {
            st.sid = null;
            deliver(true);
            return;
          }
          st.pendingEl.classList.add('fail');
          ui.setError(e.status === 429 ? t('errBusy') : t('errSend'), () => deliver(false));
        },
      );
  }

  function finish() {
    st.busy = false;
    ui.setBusy(false);
    ui.setTyping(false);
  }

  // A chip is sent like typed text; focus stays in the chat (the chip that
  // had it disappears).
  function pick(text) {
    track('suggestion_clicked', { text });
    el.input.focus();
    send(text);
  }

  // "Delete my conversation": the server deletes the session's messages and
  // lead, the device forgets the session; the next message starts afresh.
  function forget() {
    const sid = st.sid;
    const done = () => {
      store.clear();
      st.sid = null;
      st.live = false;
      st.msgs = [];
      ui.clearMessages();
      showChips([]);
      say('bot', t('forgotten'));
      store.enable(); // the visitor is still using the chat
    };
    if (!sid) return done();
    api.post('forget', { session_id: sid }).then(done, () => ui.setError(t('errForget'), forget));
  }

  el.forget.addEventListener('click', forget);
  ui.setPrivacy(opts.privacy);
  el.launcher.addEventListener('click', () => (st.open ? close() : open(true, el.launcher)));
  el.close.addEventListener('click', close);
  el.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (send(el.input.value)) el.input.value = '';
  });
  el.w.addEventListener('keydown', trap);
  // focus that escapes the full-screen dialog (a click behind it cannot
  // happen; programmatic focus or the browser's own keys can) comes back
  document.addEventListener('focusin', (e) => {
    if (st.open && phone.matches && e.target !== ui.host) el.input.focus();
  });
  el.w.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && st.open) {
      e.stopPropagation();
      close();
    }
  });
  // Landing pages: <a href="#termin" data-carbot-open>Termin anfragen</a>.
  document.addEventListener('click', (e) => {
    const target = e.target && e.target.closest && e.target.closest('[data-carbot-open]');
    if (!target) return;
    e.preventDefault();
    open(true, target);
  });

  // A visitor who opened the chat on an earlier page gets it back as it was.
  const saved = store.load();
  if (saved) {
    st.sid = saved.sid || null;
    st.cfg = saved.cfg || {};
    for (const m of saved.msgs || []) if (m && typeof m.t === 'string') say(m.f === 'visitor' ? 'visitor' : 'bot', m.t);
    showChips(saved.chips);
  }
  ui.apply(settings());
  document.body.appendChild(ui.host);
  if (saved && saved.open) open(false);

  window.CarBotWidget = { open: () => open(true), close };
}

const options = scriptOptions();
if (!options.key && !options.page) console.warn('CarBot widget: the script tag has no data-client-key');
// One widget per page, even when the snippet is pasted twice.
if ((options.key || options.page) && !document.querySelector('[data-carbot-widget]')) {
  if (document.body) start(options);
  else document.addEventListener('DOMContentLoaded', () => start(options));
}
