/** The embed snippet for a key, pointing at this server's /widget.js. */
export function embedSnippet(origin: string, key: string, lang: 'de' | 'en'): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  return `<script src="${esc(origin)}/widget.js" data-client-key="${esc(key)}" data-locale="${lang}" async></script>`;
}

export function formatDate(iso: string | null | undefined, lang: string, withTime = true): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'en' ? 'en-GB' : 'de-DE', withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
}
