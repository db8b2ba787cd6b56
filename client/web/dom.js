// A small helper to build elements: text always goes in as text, never as markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Hundredths as a decimal ("488" -> "4.88"), and back, in integers only.
export function fromHundredths(v) {
  if (v === undefined || v === null) return '';
  const neg = v < 0, a = Math.abs(v);
  const i = Math.floor(a / 100), f = a % 100;
  return (neg ? '-' : '') + i + (f ? '.' + String(f).padStart(2, '0').replace(/0$/, '') : '');
}

export function toHundredths(s) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(s);
  if (!m) return null;
  return Number(m[1]) * 100 + (m[2] ? Number(m[2].padEnd(2, '0')) : 0);
}

// Fen as yuan with two decimals and thousands separators.
export function yuan(fen) {
  if (fen === undefined || fen === null) return '';
  const neg = fen < 0, a = Math.abs(fen);
  const i = Math.floor(a / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + i + '.' + String(a % 100).padStart(2, '0');
}

export function when(t) {
  if (!t) return '';
  return new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16);
}
