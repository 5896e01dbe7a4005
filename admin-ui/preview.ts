// The knowledge screen's live preview: the real widget (/widget.js) on the
// owner's test key, in a frame of the dashboard's own origin. The key comes
// in the URL fragment (never sent to a server, not in logs); the dashboard
// reloads this frame after each save so the widget starts afresh.
const params = new URLSearchParams(location.hash.slice(1));
const key = params.get('key');
const lang = params.get('lang') === 'en' ? 'en' : 'de';
document.documentElement.lang = lang;
const hint = document.getElementById('hint');
if (hint) {
  hint.textContent = key
    ? lang === 'en'
      ? 'Ask the widget something: it answers with what you saved.'
      : 'Fragen Sie das Widget etwas: Es antwortet mit dem Gespeicherten.'
    : lang === 'en'
      ? 'No test key for this host yet.'
      : 'Noch kein Testschlüssel für diesen Host.';
}
if (key) {
  const s = document.createElement('script');
  s.src = '/widget.js';
  s.async = true;
  s.dataset.clientKey = key;
  s.dataset.locale = lang;
  s.dataset.open = 'true';
  document.body.appendChild(s);
}
