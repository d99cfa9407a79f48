/**
 * The transcript as a conversation between agents: one card per turn, "from → to", with what matters at a glance
 * (plan steps, claims, the checker's decision, the final status) and everything else expandable: messages, structured
 * output, tool calls, citations, verdict, routing decisions and other events.
 */
import { el, formatCost, formatDuration, formatNumber } from './dom.js';

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** One line saying what the turn did. */
function gist(turn) {
  const output = isObject(turn.output) ? turn.output : {};
  if (turn.error) return `Error ${turn.error.code}: ${turn.error.message}`;
  if (turn.kind === 'supervisor' && turn.from === 'user') return turn.messages[0]?.content || 'Goal received';
  if (turn.kind === 'supervisor' && output.awaiting) return `Waiting for a person to review the ${output.review || 'work'}: ${turn.messages[0]?.content || ''}`;
  if (turn.kind === 'supervisor') return `Run ended: ${output.status || 'unknown'}${output.verified ? ' (verified)' : ''}`;
  if (turn.kind === 'human') return `${output.decision === 'approve' ? 'Approved' : 'Rejected'} by ${output.by || 'someone'}${output.note ? `: ${output.note}` : ''}`;
  if (Array.isArray(output.steps)) return `Plan of ${output.steps.length} step${output.steps.length === 1 ? '' : 's'}: ${output.steps.map((step) => step.question).join(' · ')}`;
  if (Array.isArray(output.claims)) return `${output.claims.length} claim${output.claims.length === 1 ? '' : 's'} with citations${Array.isArray(output.gaps) && output.gaps.length ? `, ${output.gaps.length} gap(s)` : ''}`;
  if (turn.kind === 'checker' && output.decision) return `${output.decision === 'approve' ? 'Approved' : 'Rejected'}${overruled(output) ? ' (the model approved; the evidence check overruled it)' : ''}${output.feedback ? `: ${output.feedback}` : ''}`;
  if (typeof output.message === 'string') return output.message;
  return '';
}

function section(title, ...content) {
  return el('section', { class: 'turn-section' }, el('h4', {}, title), ...content);
}

function pre(value) {
  return el('pre', { class: 'code' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

function messagesSection(messages) {
  if (!messages.length) return null;
  return section(
    `Messages (${messages.length})`,
    messages.map((message) =>
      el('details', { class: `message message-${message.role}` }, el('summary', {}, el('span', { class: 'message-role' }, message.role), ` ${message.content.length.toLocaleString('en-US')} characters`), pre(message.content)),
    ),
  );
}

function toolCallsSection(calls) {
  if (!calls.length) return null;
  return section(
    `Tool calls (${calls.length})`,
    el(
      'table',
      { class: 'mini' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Tool'), el('th', {}, 'Arguments'), el('th', {}, 'Result'), el('th', { class: 'num' }, 'Time'))),
      el(
        'tbody',
        {},
        calls.map((call) =>
          el('tr', { class: call.error ? 'failed' : '' }, el('td', {}, el('code', {}, call.name)), el('td', {}, el('code', {}, JSON.stringify(call.arguments))), el('td', {}, call.error ? `Error: ${call.error}` : call.resultSummary), el('td', { class: 'num' }, formatDuration(call.durationMs))),
        ),
      ),
    ),
  );
}

function citationsSection(output) {
  if (!Array.isArray(output.claims) || !output.claims.length) return null;
  return section(
    'Claims and citations',
    el(
      'ol',
      { class: 'claims' },
      output.claims.map((claim) =>
        el('li', {}, el('p', {}, claim.text), el('ul', { class: 'quotes' }, (claim.citations || []).map((citation) => el('li', {}, el('blockquote', {}, citation.quote), el('cite', {}, citation.source))))),
      ),
    ),
    Array.isArray(output.gaps) && output.gaps.length ? el('p', { class: 'muted' }, `Gaps: ${output.gaps.join('; ')}`) : null,
  );
}

/**
 * Whether the deterministic checks overruled a model that approved. A checker turn records the effective verdict in
 * `decision` and the model's own in `model` (older turns recorded only the model's reply).
 */
function overruled(output) {
  return isObject(output.model) && output.model.decision === 'approve' && output.decision === 'reject';
}

function objectionList(objections) {
  return el('ul', { class: 'objections' }, objections.map((objection) => el('li', {}, objection.kind ? el('code', {}, objection.kind) : null, objection.target ? ` ${objection.target}: ` : ' ', objection.message || String(objection))));
}

/** Only a checker's verdict is one the run acts on: a custom role's `decision` field is shown as its output only. */
function verdictSection(turn, output) {
  if (turn.kind !== 'checker' || (output.decision !== 'approve' && output.decision !== 'reject')) return null;
  const objections = Array.isArray(output.objections) ? output.objections : [];
  const evidence = isObject(output.evidence) ? output.evidence : null;
  return section(
    'Verdict',
    el('p', {}, el('span', { class: `badge verdict-${output.decision}` }, output.decision), output.feedback ? ` ${output.feedback}` : ''),
    overruled(output) ? el('p', { class: 'muted' }, 'The model approved; the evidence check overruled it.') : null,
    evidence ? el('p', { class: 'muted' }, evidence.passed ? 'Evidence check: passed' : `Evidence check: failed with ${Array.isArray(evidence.objections) ? evidence.objections.length : 0} objection(s)`) : null,
    objections.length ? objectionList(objections) : null,
  );
}

function routingSection(events) {
  const routes = events.filter((event) => event.type === 'route');
  if (!routes.length) return null;
  return section(
    'Routing decisions',
    routes.map((route) =>
      el(
        'div',
        { class: 'route' },
        el('p', {}, 'Chose ', el('strong', {}, String(route.chosen || route.model || 'unknown')), Array.isArray(route.ranked) && route.ranked.length > 1 ? ` (fallbacks: ${route.ranked.slice(1).join(', ')})` : '', typeof route.estimatedCostUsd === 'number' ? ` · est. ${formatCost(route.estimatedCostUsd)}` : ''),
        el('details', {}, el('summary', {}, 'Decision details'), pre(route)),
      ),
    ),
  );
}

function otherEventsSection(events) {
  const others = events.filter((event) => event.type !== 'route');
  if (!others.length) return null;
  return section(`Events (${others.length})`, el('ul', { class: 'events' }, others.map((event) => el('li', {}, el('code', {}, event.type), ' ', JSON.stringify(Object.fromEntries(Object.entries(event).filter(([key]) => key !== 'type' && key !== 'at')))))));
}

/** A card for one turn; `<details>` holds everything beyond the gist. */
export function renderTurn(turn) {
  const output = isObject(turn.output) ? turn.output : {};
  const to = turn.to.length ? turn.to.join(', ') : '—';
  const facts = [
    turn.model ? el('span', { class: 'fact' }, turn.model) : null,
    turn.latencyMs ? el('span', { class: 'fact' }, formatDuration(turn.latencyMs)) : null,
    turn.usage.totalTokens ? el('span', { class: 'fact' }, `${formatNumber(turn.usage.totalTokens)} tokens${turn.usage.estimated ? ' (est.)' : ''}`) : null,
    turn.model ? el('span', { class: 'fact' }, formatCost(turn.costUsd, turn.usage.estimated)) : null,
    turn.attempts > 1 ? el('span', { class: 'fact warn' }, `${turn.attempts} attempts`) : null,
  ];
  const body = [
    messagesSection(turn.messages),
    turn.kind === 'supervisor' && turn.from === 'user' ? null : section('Structured output', pre(turn.output ?? null)),
    toolCallsSection(turn.toolCalls),
    citationsSection(output),
    verdictSection(turn, output),
    routingSection(turn.events),
    otherEventsSection(turn.events),
    turn.error ? section('Error', pre(turn.error)) : null,
  ].filter(Boolean);
  return el(
    'li',
    { class: `turn kind-${turn.kind}${turn.error ? ' has-error' : ''}`, id: `turn-${turn.seq}`, dataset: { seq: String(turn.seq) } },
    el(
      'div',
      { class: 'turn-head' },
      el('span', { class: 'seq' }, `#${turn.seq}`),
      el('span', { class: 'route-line' }, el('strong', { class: 'from' }, turn.from), el('span', { class: 'arrow', 'aria-label': 'to' }, ' → '), el('span', { class: 'to' }, to)),
      turn.stepId ? el('span', { class: 'chip' }, turn.stepId) : null,
      el('span', { class: 'chip' }, `round ${turn.round}`),
      el('span', { class: 'facts' }, facts),
    ),
    el('p', { class: 'gist' }, gist(turn)),
    body.length ? el('details', { class: 'turn-details' }, el('summary', {}, 'Details'), body) : null,
  );
}
