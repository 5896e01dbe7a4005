// Colour helpers: a business may pick any primary colour, and the widget
// must still keep text readable (WCAG AA, 4.5:1), so the colours drawn on
// top of it are computed rather than trusted.

// "#abc", "#aabbcc" (alpha forms are refused: contrast needs an opaque colour).
const HEX = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i;

export function validColor(c) {
  return typeof c === 'string' && HEX.test(c.trim());
}

function rgb(hex) {
  let h = hex.trim().slice(1);
  if (h.length === 3) h = h.replace(/./g, '$&$&');
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);
}

// WCAG 2 relative luminance.
function luminance(hex) {
  const [r, g, b] = rgb(hex).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Text colour for a background: white when it is readable, else black
// (one of the two always reaches 4.5:1).
export function textOn(bg) {
  return contrast(bg, '#ffffff') >= 4.5 ? '#ffffff' : '#000000';
}

// fg itself when it stands out enough from bg, else fallback.
export function readable(fg, bg, fallback, min) {
  return contrast(fg, bg) >= (min || 4.5) ? fg : fallback;
}
