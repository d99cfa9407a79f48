/**
 * Two small SVG charts drawn with the DOM (no library, nothing inline for the CSP to object to): bars of one value per
 * task, and stacked bars of model calls per time bucket. Both scale to their container through the viewBox.
 */
import { clear, el, svg } from './dom.js';

const WIDTH = 560;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 12, bottom: 34, left: 56 };
const PALETTE = ['#4f46e5', '#0d9488', '#d97706', '#db2777', '#2563eb', '#65a30d', '#7c3aed', '#dc2626'];

/** A colour per series name, stable for a given order of names. */
export function colourFor(names) {
  return new Map(names.map((name, index) => [name, PALETTE[index % PALETTE.length]]));
}

/** Round numbers for an axis from 0 to at least `max`. */
function ticks(max, count = 4, integers = false) {
  if (max <= 0) return [0, 1];
  const raw = integers ? Math.max(1, max / count) : max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const factors = integers && magnitude < 10 ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  const step = factors.map((factor) => factor * magnitude).find((candidate) => candidate >= raw) || raw;
  const values = [];
  for (let value = 0; value <= max + step * 0.999; value += step) values.push(Number(value.toPrecision(6)));
  return values;
}

function frame(label) {
  return svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart-svg', role: 'img', 'aria-label': label, preserveAspectRatio: 'xMidYMid meet' });
}

function yAxis(root, scaleMax, format, integers = false) {
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  for (const value of ticks(scaleMax, 4, integers)) {
    const y = MARGIN.top + plotHeight - (value / scaleMax) * plotHeight;
    root.append(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y, y2: y, class: 'grid-line' }));
    root.append(svg('text', { x: MARGIN.left - 6, y: y + 4, class: 'axis-label', 'text-anchor': 'end' }, format(value)));
  }
}

function empty(container, message) {
  clear(container).append(el('p', { class: 'chart-empty muted' }, message));
}

/**
 * Vertical bars, one per item: `items` are `{ label, value, title, href }`. Bars link to `href` when given.
 */
export function barChart(container, items, options) {
  if (!items.length) return empty(container, options.emptyMessage || 'No data yet.');
  const max = Math.max(...items.map((item) => item.value));
  const scaleMax = ticks(max).at(-1) || 1;
  const root = frame(options.label);
  yAxis(root, scaleMax, options.format);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slot = plotWidth / items.length;
  const barWidth = Math.max(2, Math.min(36, slot * 0.7));
  items.forEach((item, index) => {
    const height = Math.max(item.value > 0 ? 1 : 0, (item.value / scaleMax) * plotHeight);
    const x = MARGIN.left + index * slot + (slot - barWidth) / 2;
    const bar = svg('rect', { x, y: MARGIN.top + plotHeight - height, width: barWidth, height, rx: 2, class: 'bar', 'data-value': item.value }, svg('title', {}, item.title));
    root.append(item.href ? svg('a', { href: item.href }, bar) : bar);
  });
  const every = Math.ceil(items.length / 8);
  items.forEach((item, index) => {
    if (index % every !== 0) return;
    root.append(svg('text', { x: MARGIN.left + index * slot + slot / 2, y: HEIGHT - MARGIN.bottom + 16, class: 'axis-label', 'text-anchor': 'middle' }, item.label));
  });
  root.append(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom, class: 'axis-line' }));
  clear(container).append(root);
}

/**
 * Stacked bars: `slots` are `{ label, counts: { [series]: n } }`, drawn in the order of `series`, with a legend.
 * `options.colours` (a Map from series name to colour) fixes colours where they carry meaning.
 */
export function stackedBarChart(container, slots, series, options) {
  const totals = slots.map((slot) => series.reduce((sum, name) => sum + (slot.counts[name] || 0), 0));
  if (!slots.length || Math.max(...totals) === 0) return empty(container, options.emptyMessage || 'No data yet.');
  const colours = options.colours || colourFor(series);
  // Calls are whole numbers: the axis only shows whole steps.
  const scaleMax = ticks(Math.max(...totals), 4, true).at(-1) || 1;
  const root = frame(options.label);
  yAxis(root, scaleMax, (value) => String(value), true);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const slotWidth = plotWidth / slots.length;
  const barWidth = Math.max(2, Math.min(40, slotWidth * 0.7));
  slots.forEach((slot, index) => {
    let base = MARGIN.top + plotHeight;
    const x = MARGIN.left + index * slotWidth + (slotWidth - barWidth) / 2;
    for (const name of series) {
      const count = slot.counts[name] || 0;
      if (!count) continue;
      const height = (count / scaleMax) * plotHeight;
      base -= height;
      root.append(svg('rect', { x, y: base, width: barWidth, height, fill: colours.get(name), class: 'stack' }, svg('title', {}, `${slot.label}: ${name} × ${count}`)));
    }
  });
  const every = Math.ceil(slots.length / 6);
  slots.forEach((slot, index) => {
    if (index % every !== 0) return;
    root.append(svg('text', { x: MARGIN.left + index * slotWidth + slotWidth / 2, y: HEIGHT - MARGIN.bottom + 16, class: 'axis-label', 'text-anchor': 'middle' }, slot.label));
  });
  root.append(svg('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom, class: 'axis-line' }));
  const legend = el('ul', { class: 'legend' }, series.map((name) => el('li', {}, svgSwatch(colours.get(name)), name)));
  clear(container).append(root, legend);
}

function svgSwatch(colour) {
  return svg('svg', { width: 10, height: 10, viewBox: '0 0 10 10', class: 'swatch', 'aria-hidden': 'true' }, svg('rect', { width: 10, height: 10, rx: 2, fill: colour }));
}
