/**
 * "Waiting for you": runs parked at a human gate, each with its goal, the question, the plan or the draft, and
 * Approve / Reject. A rejection needs a reason (it goes back to the planner); an approval may carry a note. The same
 * form is shown on a waiting run's own page.
 */
import { api } from './api.js';
import { clear, el, formatWhen } from './dom.js';
import { $, showProblem, state } from './ui.js';

/** What is decided on: the plan's steps, the draft with its claims, or a side-effect call's exact request. */
function renderSubject(request) {
  const subject = request.subject && typeof request.subject === 'object' ? request.subject : {};
  if (subject.plan && Array.isArray(subject.plan.steps)) {
    return el(
      'div',
      { class: 'subject' },
      el('h4', {}, `Plan (${subject.plan.steps.length} step${subject.plan.steps.length === 1 ? '' : 's'})`),
      el('ol', { class: 'plan-steps' }, subject.plan.steps.map((step) => el('li', {}, el('span', { class: 'step-question' }, step.question), step.rationale ? el('span', { class: 'muted small step-why' }, ` — ${step.rationale}`) : null))),
      subject.plan.notes ? el('p', { class: 'muted small' }, subject.plan.notes) : null,
    );
  }
  if (typeof subject.draft === 'string') {
    const claims = Array.isArray(subject.claims) ? subject.claims : [];
    return el(
      'div',
      { class: 'subject' },
      el('h4', {}, 'Draft answer'),
      el('div', { class: 'draft' }, subject.draft.split('\n').map((line) => el('p', {}, line))),
      claims.length
        ? el(
            'details',
            { class: 'claims-box' },
            el('summary', {}, `${claims.length} claim${claims.length === 1 ? '' : 's'} with citations`),
            el('ol', { class: 'claims' }, claims.map((claim) => el('li', {}, el('p', {}, claim.text), el('ul', { class: 'quotes' }, (claim.citations || []).map((citation) => el('li', {}, el('blockquote', {}, citation.quote), el('cite', {}, citation.source), ...(citation.redacted && citation.redacted.length ? [el('small', { class: 'redacted' }, ` partly redacted: ${citation.redacted.join(', ')}`)] : []))))))),
          )
        : null,
      subject.outputs && typeof subject.outputs === 'object'
        ? el('details', { class: 'claims-box', open: true }, el('summary', {}, 'What the stages produced'), el('pre', { class: 'code' }, JSON.stringify(subject.outputs, null, 2)))
        : null,
    );
  }
  if (typeof subject.operation === 'string' && subject.request && typeof subject.request === 'object') {
    // A side-effect call waiting for approval (or for a person to say whether it happened): the exact request.
    return el(
      'div',
      { class: 'subject' },
      el('h4', {}, subject.kind === 'confirm-outcome' ? `Did this call take effect? ${subject.operation}` : `Call ${subject.operation}`),
      el('p', {}, el('code', {}, String(subject.target || ''))),
      subject.reason ? el('p', { class: 'muted small' }, String(subject.reason)) : null,
      el('pre', { class: 'code' }, JSON.stringify(subject.request, null, 2)),
    );
  }
  return el('pre', { class: 'code' }, JSON.stringify(request.subject, null, 2));
}

/**
 * The decision form for one request. `onDecided(result)` runs after the server recorded the decision; the form shows
 * its own errors (a missing reason, a run that no longer waits).
 */
export function renderDecision(request, { onDecided, showGoal = true } = {}) {
  const text = el('textarea', { class: 'decision-text', rows: 2, maxlength: 4000, placeholder: 'Note for an approval (optional), or the reason for a rejection (required)', 'aria-label': 'Note or reason' });
  const error = el('p', { class: 'error decision-error', role: 'alert', hidden: true });
  const approve = el('button', { type: 'button', class: 'primary approve' }, 'Approve');
  const reject = el('button', { type: 'button', class: 'danger reject' }, 'Reject');
  const send = async (decision) => {
    error.hidden = true;
    const words = text.value.trim();
    if (decision === 'reject' && !words) {
      showProblem(new Error('A rejection needs a reason: write what must change, it goes back to the planner.'), error);
      text.focus();
      return;
    }
    // The round shown: a request asked again meanwhile (another tab rejected this one) is refused, not decided unseen.
    const body = { decision };
    if (Number.isInteger(request.round)) body.round = request.round;
    if (words) body[decision === 'reject' ? 'reason' : 'note'] = words;
    approve.disabled = true;
    reject.disabled = true;
    try {
      const result = await api(`/api/runs/${encodeURIComponent(request.runId)}/decision`, { method: 'POST', body });
      node.classList.add('decided');
      onDecided?.(result);
    } catch (problem) {
      showProblem(problem, error);
    } finally {
      approve.disabled = false;
      reject.disabled = false;
    }
  };
  approve.addEventListener('click', () => void send('approve'));
  reject.addEventListener('click', () => void send('reject'));
  const node = el(
    'li',
    { class: 'decision', dataset: { runId: request.runId, key: `${request.runId}@${request.requestedAt}` } },
    el(
      'div',
      { class: 'decision-head' },
      showGoal ? el('a', { class: 'decision-goal', href: `#/runs/${encodeURIComponent(request.runId)}` }, request.goal) : null,
      el('span', { class: 'chip' }, `${request.gate} · ${request.review} · round ${request.round}`),
      el('span', { class: 'muted small', title: new Date(request.requestedAt).toLocaleString() }, `asked ${formatWhen(request.requestedAt)}`),
    ),
    el('p', { class: 'decision-prompt' }, request.prompt),
    renderSubject(request),
    text,
    el('div', { class: 'decision-actions' }, approve, reject, el('span', { class: 'muted small' }, 'Rejecting needs a reason; it goes back to the planner.')),
    error,
  );
  return node;
}

/**
 * Shows the pending decisions. Requests already on the page keep their element (and whatever is typed in them); only
 * new ones are added and answered ones removed. Returns how many wait.
 */
export async function loadDecisions(onDecided) {
  let decisions;
  try {
    decisions = (await api('/api/decisions')).decisions;
  } catch (error) {
    showProblem(error);
    return undefined;
  }
  const list = $('pending-list');
  const wanted = new Map(decisions.map((request) => [`${request.runId}@${request.requestedAt}`, request]));
  for (const item of [...list.children]) {
    if (!wanted.has(item.dataset.key)) item.remove();
  }
  const present = new Set([...list.children].map((item) => item.dataset.key));
  for (const [key, request] of wanted) {
    if (!present.has(key)) list.append(renderDecision(request, { onDecided }));
  }
  $('pending-card').hidden = decisions.length === 0;
  $('pending-count').textContent = decisions.length ? `${decisions.length} run${decisions.length === 1 ? '' : 's'} waiting` : '';
  return decisions.length;
}

/** On a waiting run's page: the form for its open request, or nothing. */
export async function showRunDecision(runId, onDecided) {
  const box = $('run-decision');
  try {
    const request = (await api('/api/decisions')).decisions.find((candidate) => candidate.runId === runId);
    if (state.runId !== runId) return;
    const list = $('run-decision-list');
    box.hidden = !request;
    // The same request keeps its form (and what is typed in it); another one replaces it.
    if (request && list.firstElementChild?.dataset.key === `${request.runId}@${request.requestedAt}`) return;
    clear(list);
    if (request) list.append(renderDecision(request, { onDecided, showGoal: false }));
  } catch (error) {
    showProblem(error, $('run-error'));
  }
}

export function hideRunDecision() {
  $('run-decision').hidden = true;
  clear($('run-decision-list'));
}
