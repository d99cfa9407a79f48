/* global document, URLSearchParams */
/** The overview: health, the runs table, the key figures and the two charts. */
import { api } from './api.js';
import { barChart, stackedBarChart } from './charts.js';
import { ACTIVE_STATUSES, badge, clear, el, formatCost, formatDuration, formatNumber, formatWhen, statusLabel } from './dom.js';
import { $, interruptedText, showProblem, state } from './ui.js';

export const PAGE_SIZE = 20;

export async function loadHealth() {
  try {
    const health = await api('/healthz');
    state.autoResume = health.autoResume === true;
    $('health').textContent = health.execute === false ? 'accepting runs · workers execute them' : `${health.executing} of ${health.concurrency} slots running`;
    $('health').className = `health ${health.executing ? 'busy' : 'idle'}`;
  } catch {
    $('health').textContent = 'server unreachable';
    $('health').className = 'health down';
  }
}

export async function loadRuns() {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(state.offset) });
  if (state.status) query.set('status', state.status);
  try {
    renderRuns(await api(`/api/runs?${query}`));
  } catch (error) {
    showProblem(error);
  }
}

/** The duration column: how long an ended run took, or where an active one stands. */
function durationCell(run) {
  if (run.status === 'queued') return run.position ? `#${run.position} in the queue` : 'queued';
  if (run.status === 'running') return 'running…';
  if (run.status === 'awaiting_human') return 'waiting for you';
  if (run.status === 'interrupted') return interruptedText();
  return formatDuration(run.durationMs);
}

function renderRuns(list) {
  const body = clear($('runs-table').tBodies[0]);
  // Queued runs are recorded like any other: they are in `runs`, newest first, with their place in the queue.
  for (const run of list.runs) {
    body.append(
      el(
        'tr',
        { class: 'run-row', dataset: { id: run.id } },
        el('td', {}, badge(run.status)),
        el('td', { class: 'goal' }, el('a', { href: `#/runs/${run.id}`, title: run.goal }, run.goal)),
        el('td', { class: 'num' }, String(run.rounds)),
        el('td', { class: 'num' }, formatNumber(run.inputTokens + run.outputTokens)),
        el('td', { class: 'num' }, formatCost(run.costUsd, run.costEstimated)),
        el('td', { class: `num${ACTIVE_STATUSES.has(run.status) ? ' muted' : ''}` }, durationCell(run)),
        el('td', { title: new Date(run.startedAt).toLocaleString() }, formatWhen(run.startedAt)),
      ),
    );
  }
  if (!body.rows.length) body.append(el('tr', {}, el('td', { colspan: 7, class: 'empty muted' }, state.status ? `No ${statusLabel(state.status)} runs.` : 'No runs yet. Submit a goal above to start one.')));
  $('prev-page').disabled = state.offset === 0;
  $('next-page').disabled = !list.hasMore;
  $('page-info').textContent = list.runs.length ? `${state.offset + 1}–${state.offset + list.runs.length}` : '';
}

export async function loadStats() {
  try {
    // A week of history keeps the stats request cheap on a long-lived server; the table pages through everything.
    state.stats = await api(`/api/stats?since=${encodeURIComponent(new Date(Date.now() - 7 * 86_400_000).toISOString())}`);
    renderStats();
  } catch (error) {
    showProblem(error);
  }
}

function kpi(label, value, note) {
  return el('div', { class: 'kpi' }, el('span', { class: 'kpi-value' }, value), el('span', { class: 'kpi-label' }, label), note ? el('span', { class: 'kpi-note' }, note) : null);
}

function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${Math.round(rate * 100)}%`;
}

export function renderStats() {
  const stats = state.stats;
  if (!stats) return;
  const ended = Object.entries(stats.runs.byStatus).filter(([status]) => !ACTIVE_STATUSES.has(status)).reduce((sum, [, count]) => sum + count, 0);
  clear($('kpis')).append(
    kpi('Runs', formatNumber(stats.runs.total), `${ended} ended`),
    kpi('Approved', percent(stats.approvalRate), 'of ended runs'),
    kpi('Total cost', formatCost(stats.cost.totalUsd, stats.cost.estimated)),
    kpi('Rounds per run', stats.rounds.mean === null ? '–' : stats.rounds.mean.toFixed(1), `max ${stats.rounds.max}`),
    kpi('Routing decisions', formatNumber(stats.routing.decisions), stats.routing.byModel[0] ? `mostly ${stats.routing.byModel[0].model}` : 'none recorded'),
    kpi('Guard events', formatNumber(stats.guardEvents.length)),
  );

  const metric = state.metric === 'auto' ? (stats.cost.totalUsd > 0 ? 'cost' : 'tokens') : state.metric;
  for (const button of document.querySelectorAll('.toggle button')) button.classList.toggle('active', button.dataset.metric === metric);
  const free = stats.cost.totalUsd === 0 && stats.runs.total > 0;
  $('cost-title').textContent = metric === 'cost' ? 'Cost per task' : `Tokens per task${free ? ' (every run so far cost $0)' : ''}`;
  const recent = stats.cost.perRun.slice(-30);
  barChart(
    $('cost-chart'),
    recent.map((run, index) => ({
      label: `#${stats.cost.perRun.length - recent.length + index + 1}`,
      value: metric === 'cost' ? run.costUsd : run.tokens,
      title: `${run.goal}\n${metric === 'cost' ? formatCost(run.costUsd) : `${formatNumber(run.tokens)} tokens`} · ${run.status}`,
      href: `#/runs/${run.runId}`,
    })),
    { label: metric === 'cost' ? 'Cost per task in dollars' : 'Tokens per task', format: metric === 'cost' ? (value) => formatCost(value) : (value) => formatNumber(value), emptyMessage: 'No runs in this window yet.' },
  );

  const over = stats.modelUsage.overTime;
  const labelOf = (iso) => {
    const date = new Date(iso);
    return over.bucket === 'hour' ? `${String(date.getHours()).padStart(2, '0')}:00` : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  };
  stackedBarChart(
    $('usage-chart'),
    over.series.map((slot) => ({ label: labelOf(slot.start), counts: slot.counts })),
    stats.modelUsage.counts.map((entry) => entry.model),
    { label: `Model calls per ${over.bucket}`, emptyMessage: 'No model calls yet.' },
  );
}
