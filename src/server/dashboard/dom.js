/* global document, Node */
/**
 * Tiny DOM helpers. Text always goes in through textContent, never innerHTML, so nothing a model or a user wrote can
 * become markup (the CSP forbids inline scripts too, as a second line of defence).
 */

/** Creates an element: `el('a', { href: '#', class: 'x' }, 'text', child)`. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** Appends strings (as text), nodes and nested arrays, skipping empty values. */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Dollars with enough digits for tiny per-call costs. */
export function formatCost(value, estimated) {
  if (typeof value !== 'number') return '–';
  const text = value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
  return estimated ? `~${text}` : text;
}

export function formatDuration(ms) {
  if (typeof ms !== 'number') return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatNumber(value) {
  return typeof value === 'number' ? value.toLocaleString('en-US') : '–';
}

/** "3 min ago" style, falling back to the date for older instants. */
export function formatWhen(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '–';
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(at).toLocaleString();
}

/** Run statuses in words (the API's names stay in the class, for styles and tests). */
const STATUS_LABELS = {
  queued: 'queued',
  running: 'running',
  interrupted: 'interrupted',
  awaiting_human: 'waiting for you',
  approved: 'approved',
  unverified: 'unverified',
  budget_exceeded: 'budget exceeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function statusLabel(status) {
  return STATUS_LABELS[status] || String(status).replace(/_/g, ' ');
}

/** Statuses a run has not ended in: it may still produce turns. */
export const ACTIVE_STATUSES = new Set(['queued', 'running', 'interrupted', 'awaiting_human']);

/** A status badge. */
export function badge(status) {
  return el('span', { class: `badge status-${status}`, title: status }, statusLabel(status));
}
