// The widget's DOM: a host element with an open shadow root (open so that
// tests and assistive tooling can reach in; isolation comes from the shadow
// boundary, not from closing it). All visitor and bot text goes in through
// textContent; the markup below is static and carries no data.

import css from './style.css';
import { textOn, readable, validColor } from './color.js';

const SVG = (d) => `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${d}"/></svg>`;
const ICON_CHAT = SVG('M21 11.5a8.4 8.4 0 0 1-12.2 7.5L3 21l2-5.4A8.5 8.5 0 1 1 21 11.5z');
const ICON_CLOSE = SVG('M6 6l12 12M18 6L6 18');
const ICON_SEND = SVG('M4 12l16-8-6 16-2.5-6.5z');

const HTML =
  `<style>${css}</style><div class="w">` +
  '<div class="pn" id="cbp" role="dialog" data-testid="chat-interface" hidden>' +
  '<div class="hd"><img class="av" alt="" hidden><div class="ti"><h2 class="nm"></h2><p class="st" hidden></p></div>' +
  `<button type="button" class="x" data-testid="chat-close">${ICON_CLOSE}</button></div>` +
  '<div class="log" role="log" aria-live="polite" aria-relevant="additions"></div>' +
  '<div class="ty" role="status" data-testid="chat-typing" hidden><i></i><i></i><i></i><span class="sr"></span></div>' +
  '<div class="ch" role="group" hidden></div>' +
  '<div class="er" role="alert" data-testid="chat-error" hidden><p></p><p class="cl" hidden></p><button type="button" data-testid="chat-retry"></button></div>' +
  '<form class="f" novalidate><label class="sr" for="cbi"></label>' +
  '<input id="cbi" type="text" data-testid="chat-input" autocomplete="off" maxlength="2000" enterkeyhint="send">' +
  `<button type="submit" class="sd" data-testid="chat-send">${ICON_SEND}</button></form>` +
  '<p class="pv" data-testid="chat-privacy"><span></span> <a target="_blank" rel="noopener noreferrer" hidden></a> ' +
  '<button type="button" class="fg" data-testid="chat-forget"></button></p></div>' +
  '<button type="button" class="lc" data-testid="chat-widget-trigger" aria-haspopup="dialog" ' +
  `aria-controls="cbp" aria-expanded="false">${ICON_CHAT}${ICON_CLOSE}</button></div>`;

const DEFAULT_COLOR = '#1d4ed8';

// Phone numbers (from + or 0, 7 to 15 digits, spaces / ( ) - between) and
// e-mail addresses in bot text.
const LINKS = /([\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})|((?:\+|\b0)\d[\d /()-]*\d)/gi;

// text as nodes: text nodes, and <a> for each phone number and e-mail
// address. Only textContent and an href made of the match's digits (or the
// address, which the pattern keeps free of quotes, < and :) — never markup.
function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(LINKS)) {
    const digits = m[2] ? m[2].replace(/[^\d+]/g, '') : '';
    if (m[2] && (digits.replace('+', '').length < 7 || digits.length > 16)) continue;
    if (m.index > last) out.push(document.createTextNode(text.slice(last, m.index)));
    const a = document.createElement('a');
    a.href = m[1] ? 'mailto:' + m[1] : 'tel:' + digits;
    a.textContent = m[0];
    out.push(a);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(document.createTextNode(text.slice(last)));
  return out;
}
const POSITIONS = ['bottom-right', 'bottom-left', 'center'];

export function createUi(t) {
  const host = document.createElement('div');
  host.setAttribute('data-carbot-widget', '');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = HTML;
  const $ = (sel) => root.querySelector(sel);
  const el = {
    w: $('.w'),
    panel: $('.pn'),
    avatar: $('.av'),
    name: $('.nm'),
    status: $('.st'),
    close: $('.x'),
    log: $('.log'),
    typing: $('.ty'),
    chips: $('.ch'),
    error: $('.er'),
    form: $('.f'),
    input: $('input'),
    send: $('.sd'),
    launcher: $('.lc'),
    privacy: $('.pv'),
    forget: $('.fg'),
  };
  let retry = null;

  // Static labels of the chrome, in the page's language.
  el.launcher.setAttribute('aria-label', t('open'));
  el.close.setAttribute('aria-label', t('close'));
  el.send.setAttribute('aria-label', t('send'));
  el.form.querySelector('label').textContent = t('input');
  el.chips.setAttribute('aria-label', t('suggestions'));
  el.error.querySelector('button').textContent = t('retry');
  el.error.querySelector('button').addEventListener('click', () => retry && retry());
  el.privacy.firstChild.textContent = t('privacy');
  el.forget.textContent = t('forget');

  // The one-line privacy notice links the business's privacy page (https only).
  function setPrivacy(url) {
    const a = el.privacy.querySelector('a');
    const ok = /^https:\/\/[^\s"'<>]+$/i.test(url || '');
    a.hidden = !ok;
    if (ok) {
      a.href = url;
      a.textContent = t('privacyLink');
    }
  }

  // Applies the effective settings (server config merged with data-*).
  function apply(s) {
    const dark = s.theme === 'dark' || (s.theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
    const bg = dark ? '#1c1e22' : '#ffffff';
    const fg = dark ? '#eef0f3' : '#1f2328';
    const p = validColor(s.color) ? s.color.trim() : DEFAULT_COLOR;
    el.w.classList.toggle('dark', dark);
    el.w.style.setProperty('--p', p);
    el.w.style.setProperty('--pf', textOn(p));
    // The primary colour drawn on the panel (chips, focus rings) only where it reads.
    el.w.style.setProperty('--pa', readable(p, bg, fg));
    host.setAttribute('data-pos', POSITIONS.indexOf(s.position) >= 0 ? s.position : POSITIONS[0]);

    el.name.textContent = s.name;
    el.panel.setAttribute('aria-label', t('dialog', { name: s.name }));
    el.typing.dataset.label = t('typing', { name: s.name });
    if (el.log.getAttribute('aria-busy') !== 'true') el.typing.lastChild.textContent = el.typing.dataset.label;
    el.input.placeholder = s.placeholder;
    setStatus(s.openNow, s.nextOpen);
    // Only http(s) avatars: a javascript: or data: URL has no business here.
    const avatar = /^https?:\/\//i.test(s.avatar || '') ? s.avatar : '';
    el.avatar.hidden = !avatar;
    if (avatar) el.avatar.src = avatar;
  }

  // "Jetzt geöffnet" / "Gerade geschlossen · öffnet Mo., 08:00"; hidden when
  // the business gave no hours.
  function setStatus(openNow, nextOpen) {
    const known = typeof openNow === 'boolean';
    el.status.hidden = !known;
    if (!known) return;
    el.status.classList.toggle('on', openNow);
    const when = !openNow && nextOpen ? t('opens', { when: nextOpen }) : '';
    el.status.textContent = t(openNow ? 'openNow' : 'closed') + (when ? ' · ' + when : '');
  }

  // Appends a message bubble; text only, never markup (bot text gets its
  // phone numbers and e-mail addresses as links, built node by node).
  function addMessage(from, text, speaker) {
    const m = document.createElement('div');
    m.className = 'm';
    m.setAttribute('data-testid', 'chat-message');
    m.setAttribute('data-from', from);
    // Screen readers hear who speaks; sighted users see it from the side.
    const who = document.createElement('span');
    who.className = 'sr';
    who.textContent = speaker + ': ';
    const body = document.createElement('span');
    if (from === 'bot') body.append(...linkify(text));
    else body.textContent = text;
    m.append(who, body);
    el.log.appendChild(m);
    toEnd();
    return m;
  }

  // The newest message in view (after whatever just changed below the log).
  function toEnd() {
    el.log.scrollTop = el.log.scrollHeight;
  }

  // While /init is under way: the typing dots, labelled as loading.
  function setLoading(on) {
    el.typing.lastChild.textContent = on ? t('loading') : el.typing.dataset.label || '';
    el.log.setAttribute('aria-busy', String(on));
    setTyping(on);
  }

  // "Call us: <a href=tel:…>" in the error box when the chat cannot be reached.
  function setCall(phone) {
    const p = el.error.querySelector('.cl');
    p.textContent = '';
    const links = phone ? linkify(phone).filter((n) => n.nodeType === 1) : [];
    p.hidden = !links.length;
    if (links.length) p.append(t('call') + ' ', links[0]);
  }

  function clearMessages() {
    el.log.textContent = '';
  }

  function setTyping(on) {
    el.typing.hidden = !on;
    if (on) toEnd();
  }

  // Quick-reply chips; onPick(text) when one is chosen.
  function setChips(list, onPick) {
    el.chips.textContent = '';
    const items = (Array.isArray(list) ? list : []).filter((s) => typeof s === 'string' && s.trim()).slice(0, 6);
    for (const text of items) {
      const b = document.createElement('button');
      b.type = 'button';
      b.setAttribute('data-testid', 'chat-suggestion');
      b.textContent = text;
      b.addEventListener('click', () => onPick(text));
      el.chips.appendChild(b);
    }
    el.chips.hidden = !items.length;
    toEnd(); // the chips took room from the log: keep the answer above them in view
  }

  // Shows message with a retry button calling onRetry; null hides it.
  function setError(message, onRetry) {
    retry = onRetry || null;
    el.error.hidden = !message;
    // Text set after un-hiding, so the alert region announces it.
    el.error.firstChild.textContent = message || '';
    el.error.lastChild.hidden = !onRetry;
    if (!message) setCall('');
    toEnd();
  }

  function setBusy(busy) {
    el.send.setAttribute('aria-disabled', String(busy));
  }

  function show(open) {
    el.panel.hidden = !open;
    el.w.classList.toggle('open', open);
    el.launcher.setAttribute('aria-expanded', String(open));
    el.launcher.setAttribute('aria-label', t(open ? 'close' : 'open'));
    if (open) toEnd();
  }

  return {
    host,
    root,
    el,
    apply,
    addMessage,
    clearMessages,
    setPrivacy,
    setTyping,
    setLoading,
    setCall,
    setChips,
    setError,
    setBusy,
    show,
  };
}
