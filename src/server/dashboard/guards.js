/* global URLSearchParams, setTimeout, clearTimeout */
/**
 * Guards on the dashboard, from the audit API: the overview's "Guards" panel (guard decisions per day by action, by
 * surface, and the latest ones) and, on a run's page, that run's guard decisions, call approvals and gate decisions.
 * Every text from the audit (sources, reasons, names) goes in as text through `el`, never as markup.
 */
import { api } from './api.js';
import { stackedBarChart } from './charts.js';
import { clear, el, formatNumber, formatWhen } from './dom.js';
import { $, showProblem, state } from './ui.js';

/** Actions from the most to the least severe, each with its colour: the chart's stacking order and legend. */
const ACTIONS = ['block', 'quarantine', 'redact', 'flag', 'allow', 'reject', 'approve'];
const ACTION_COLOURS = new Map([
  ['block', '#dc2626'],
  ['quarantine', '#d97706'],
  ['redact', '#7c3aed'],
  ['flag', '#2563eb'],
  ['allow', '#65a30d'],
  ['reject', '#db2777'],
  ['approve', '#0d9488'],
]);
const WINDOW_DAYS = 7;
const RECENT = 8;

function actionBadge(action) {
  return el('span', { class: `badge guard-action action-${String(action).replace(/[^a-z-]/g, '')}` }, action);
}

function dayLabel(iso) {
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** Where a decision applied, in a few words. */
function whereOf(entry) {
  if (entry.kind === 'guard') return entry.surface || '';
  if (entry.kind === 'approval') return entry.question === 'outcome' ? 'call outcome' : 'call';
  return `gate: ${entry.review || ''}`;
}

/** What it applied to: a guard's source, a call's operation, a gate's stage. */
function sourceOf(entry) {
  if (entry.kind === 'guard') return entry.source || '';
  if (entry.kind === 'approval') return entry.operation || '';
  return entry.role;
}

/** Why, and by whom for a person's decision. */
function reasonOf(entry) {
  const parts = [entry.reason, entry.note].filter(Boolean);
  if (entry.by) parts.push(`by ${entry.by}`);
  return parts.join(' — ');
}

function entryRow(entry, withRun) {
  return el(
    'tr',
    { class: `audit-row kind-${entry.kind}`, dataset: { seq: String(entry.seq) } },
    el('td', { title: new Date(entry.at).toLocaleString() }, withRun ? formatWhen(entry.at) : new Date(entry.at).toLocaleTimeString()),
    withRun ? el('td', {}, el('a', { href: `#/runs/${encodeURIComponent(entry.runId)}` }, entry.runId)) : null,
    el('td', { class: 'audit-surface' }, whereOf(entry)),
    el('td', {}, actionBadge(entry.action)),
    el('td', { class: 'audit-source' }, sourceOf(entry)),
    el('td', { class: 'audit-reason' }, reasonOf(entry), entry.rules && entry.rules.length ? el('span', { class: 'muted small' }, ` [${entry.rules.join(', ')}]`) : null),
  );
}

function entryTable(entries, withRun) {
  const head = ['Time', ...(withRun ? ['Run'] : []), 'Surface', 'Action', 'Source', 'Reason'];
  return el('div', { class: 'table-wrap' }, el('table', { class: 'mini audit' }, el('thead', {}, el('tr', {}, head.map((title) => el('th', {}, title)))), el('tbody', {}, entries.map((entry) => entryRow(entry, withRun)))));
}

/** The overview's panel: guard decisions over the last week. */
export async function loadGuards() {
  const since = new Date(Date.now() - WINDOW_DAYS * 86_400_000).toISOString();
  const window = new URLSearchParams({ kind: 'guard', since });
  try {
    const [summary, recent] = await Promise.all([
      api(`/api/audit/summary?${new URLSearchParams({ kind: 'guard', since, bucket: 'day' })}`),
      api(`/api/audit?${window}&limit=${RECENT}`),
    ]);
    renderGuards(summary, recent.entries);
  } catch (error) {
    showProblem(error);
  }
}

function renderGuards(summary, recent) {
  $('guards-count').textContent = `${formatNumber(summary.total)} guard decision${summary.total === 1 ? '' : 's'}`;
  const present = new Set(summary.byAction.map((entry) => entry.name));
  const series = ACTIONS.filter((action) => present.has(action));
  stackedBarChart(
    $('guards-chart'),
    summary.buckets.map((bucket) => ({ label: dayLabel(bucket.start), counts: bucket.byAction })),
    series,
    { label: 'Guard decisions per day, by action', emptyMessage: `No guard decisions in the last ${WINDOW_DAYS} days.`, colours: ACTION_COLOURS },
  );
  clear($('guards-surfaces')).append(...summary.bySurface.map((entry) => el('li', { class: 'chip' }, `${entry.name} × ${entry.count}`)));
  const list = clear($('guards-recent'));
  if (recent.length) list.append(el('h4', {}, 'Latest'), entryTable([...recent].reverse(), true));
}

let pending = null;

/** A run's guard decisions and approvals on its page; hidden while it has none. */
export async function loadRunAudit(runId) {
  try {
    const { entries } = await api(`/api/audit?${new URLSearchParams({ run: runId })}`);
    if (state.runId !== runId) return;
    $('run-audit').hidden = entries.length === 0;
    $('run-audit-count').textContent = `${entries.length} decision${entries.length === 1 ? '' : 's'}`;
    clear($('run-audit-list')).append(entryTable(entries, false));
  } catch (error) {
    if (state.runId === runId) showProblem(error, $('run-error'));
  }
}

/** Reloads the run's decisions soon after a turn that carries one arrives (several turns at once reload once). */
export function noteTurn(turn) {
  const relevant = turn.kind === 'human' || (turn.events || []).some((event) => event.type === 'guard' || event.type === 'approval');
  if (!relevant || !state.runId) return;
  const runId = state.runId;
  clearTimeout(pending);
  pending = setTimeout(() => void loadRunAudit(runId), 300);
}

/** Leaves the run page: its decisions are hidden until the next run's are read. */
export function hideRunAudit() {
  clearTimeout(pending);
  $('run-audit').hidden = true;
  clear($('run-audit-list'));
}
