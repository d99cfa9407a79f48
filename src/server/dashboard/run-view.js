/**
 * The run page: its status and figures, the answer with citations and verdicts, the transcript (live while the run has
 * not ended), its guard decisions and approvals, and the decision form while it waits for a person.
 */
import { api, followRun } from './api.js';
import { hideRunDecision, showRunDecision } from './decisions.js';
import { hideRunAudit, loadRunAudit, noteTurn } from './guards.js';
import { ACTIVE_STATUSES, clear, el, formatCost, formatDuration, formatNumber, statusLabel } from './dom.js';
import { renderTurn } from './transcript.js';
import { $, interruptedText, showProblem, state } from './ui.js';

export function stopFollowing() {
  if (state.stopFollowing) state.stopFollowing();
  state.stopFollowing = null;
}

/** Labels in words: the deadline as a time, the budget in dollars, defaults left out. */
function describeLabels(labels) {
  const parts = [];
  for (const [key, value] of Object.entries(labels)) {
    if (key === 'confidential') {
      if (value === true) parts.push('confidential');
    } else if (key === 'priority') {
      if (value !== 'normal') parts.push(`${value} priority`);
    } else if (key === 'deadlineMs' && typeof value === 'number') parts.push(`deadline ${new Date(value).toLocaleTimeString()}`);
    else if (key === 'budgetUsd' && typeof value === 'number') parts.push(`budget ${formatCost(value)}`);
    else if (key === 'attachments' && Array.isArray(value)) parts.push(`attached: ${value.map((attachment) => attachment.name).join(', ')}`);
    else if (key === 'tags' && value && typeof value === 'object') parts.push(Object.entries(value).map(([tag, text]) => `${tag}=${text}`).join(', '));
    else parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : value}`);
  }
  return parts.join(' · ');
}

/** What the live indicator says while the run has not ended. */
function liveText(run) {
  if (run.status === 'queued') return run.position ? `queued · position ${run.position}` : 'queued';
  if (run.status === 'awaiting_human') return 'waiting for you';
  if (run.status === 'interrupted') return state.autoResume ? interruptedText() : `interrupted · baton resume ${run.id} continues it`;
  return 'live';
}

function renderRunHead(run) {
  const status = run.status;
  const active = ACTIVE_STATUSES.has(status);
  clear($('run-status')).className = `badge status-${status}`;
  $('run-status').textContent = statusLabel(status);
  $('run-goal').textContent = run.goal;
  const facts = status === 'queued'
    ? [['Run id', run.id], ['Queued', new Date(run.queuedAt || run.startedAt).toLocaleString()], ['Position', run.position ? String(run.position) : '–']]
    : [
        ['Run id', run.id],
        ['Started', new Date(run.startedAt).toLocaleString()],
        ['Duration', active ? `${statusLabel(status)}…` : formatDuration(run.durationMs)],
        ['Rounds', String(run.rounds)],
        ['Tokens', formatNumber(run.inputTokens + run.outputTokens)],
        ['Cost', formatCost(run.costUsd, run.costEstimated)],
        ['Engine', run.engine],
      ];
  if (run.resumes) facts.push(['Resumed', `${run.resumes} time${run.resumes === 1 ? '' : 's'}`]);
  const labels = describeLabels(run.labels || {});
  if (labels) facts.push(['Labels', labels]);
  clear($('run-meta')).append(...facts.map(([term, value]) => el('div', { class: 'meta-item' }, el('dt', {}, term), el('dd', {}, value))));
  $('cancel-run').hidden = !active;
  $('live').hidden = !active;
  if (active) $('live').textContent = liveText(run);
  if (status === 'awaiting_human') void showRunDecision(run.id, () => void refreshRun(run.id));
  else hideRunDecision();
  $('run-error').hidden = !run.error;
  if (run.error) $('run-error').textContent = `${run.error.code}: ${run.error.message}`;
}

function renderAnswer(run) {
  const result = run.result;
  $('answer-card').hidden = !result;
  if (!result) return;
  const verified = result.verification.verified;
  $('answer-title').textContent = verified ? 'Answer — verified by the checker' : 'Best draft — NOT verified';
  $('answer-card').classList.toggle('unverified', !verified);
  clear($('answer')).append(...result.answer.split('\n').map((line) => el('p', {}, line)));
  clear($('citations')).append(...result.citations.map((citation) => el('li', { value: citation.marker }, el('blockquote', {}, citation.quote), el('cite', {}, citation.source), ...(citation.redacted && citation.redacted.length ? [el('small', { class: 'redacted' }, ` partly redacted: ${citation.redacted.join(', ')}`)] : []))));
  clear($('verdicts')).append(
    ...result.verification.verdicts.map((verdict) =>
      el('div', { class: 'verdict' }, el('span', { class: `badge verdict-${verdict.decision}` }, `${verdict.role}: ${verdict.decision}`), verdict.objections.length ? el('ul', {}, verdict.objections.map((objection) => el('li', {}, objection))) : null),
    ),
  );
}

function addTurn(turn) {
  const list = $('turns');
  if (list.querySelector(`[data-seq="${turn.seq}"]`)) return;
  const node = renderTurn(turn);
  const after = [...list.children].find((child) => Number(child.dataset.seq) > turn.seq);
  list.insertBefore(node, after || null);
  node.classList.add('arrived');
  noteTurn(turn);
  $('turn-count').textContent = `${list.children.length} turn${list.children.length === 1 ? '' : 's'}`;
}

export async function showRun(runId) {
  stopFollowing();
  state.runId = runId;
  $('overview').hidden = true;
  $('run-view').hidden = false;
  clear($('turns'));
  $('turn-count').textContent = '';
  $('answer-card').hidden = true;
  hideRunDecision();
  hideRunAudit();
  let run;
  try {
    run = await api(`/api/runs/${encodeURIComponent(runId)}`);
  } catch (error) {
    $('run-goal').textContent = 'Run not found';
    clear($('run-meta'));
    showProblem(error, $('run-error'));
    return;
  }
  if (state.runId !== runId) return;
  renderRunHead(run);
  renderAnswer(run);
  void loadRunAudit(runId);
  if (ACTIVE_STATUSES.has(run.status)) {
    state.stopFollowing = followRun(runId, {
      turn: addTurn,
      // Queued with its place, running again, interrupted, or parked at a human gate: the head (and the decision
      // form) follow the record.
      status: () => void refreshRun(runId),
      end: () => void refreshRun(runId),
      error: (message) => showProblem(new Error(message), $('run-error')),
    });
    return;
  }
  try {
    const transcript = await api(`/api/runs/${encodeURIComponent(runId)}/transcript`);
    if (state.runId === runId) transcript.turns.forEach(addTurn);
  } catch (error) {
    showProblem(error, $('run-error'));
  }
}

async function refreshRun(runId) {
  try {
    const run = await api(`/api/runs/${encodeURIComponent(runId)}`);
    if (state.runId !== runId) return;
    renderRunHead(run);
    renderAnswer(run);
  } catch (error) {
    showProblem(error, $('run-error'));
  }
}

export async function cancelRun() {
  if (!state.runId) return;
  $('cancel-run').disabled = true;
  try {
    await api(`/api/runs/${encodeURIComponent(state.runId)}/cancel`, { method: 'POST' });
    await refreshRun(state.runId);
  } catch (error) {
    showProblem(error, $('run-error'));
  } finally {
    $('cancel-run').disabled = false;
  }
}
