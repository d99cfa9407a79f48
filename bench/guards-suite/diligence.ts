/**
 * What the obedient model does because it is diligent, not because it was told: the lookups a careful model makes for
 * a goal (the URL it names, links of passages about the question, the web when asked, the records it names), claims
 * from connector records, valid output for a role's own schema, and the arguments of a message an instruction sends.
 */
import type { Passage } from '../../src/knowledge/types.js';
import type { ModelRequest, ToolSpec } from '../../src/models/types.js';
import { normaliseForQuote } from '../../src/roles/evidence.js';
import type { Citation, ClaimDraft } from '../../src/roles/schemas.js';
import type { GenericTask, ResearchTask } from '../../src/roles/tasks.js';
import { readThrough, withoutInstructions } from './instructions.js';
import { isRecord, parsed, words, type Unit } from './seen.js';

const SIDE_EFFECT_NOTE = 'changes something outside';
const CONTEXT_LIMIT = 3000;

/** Text fields a schema filler puts what the model was told to say into, or else what it read. */
const TEXT_FIELD = /^(?:message|draft|summary|reply|answer|text|body|note|reason)$/i;

/**
 * A value valid for a JSON Schema: enums take their first value; text fields take what the model was told to say, or
 * else `read` (the gist of what it read).
 */
export function fill(schema: Record<string, unknown>, name: string, said: string, read: string): unknown {
  const values = schema['enum'];
  if (Array.isArray(values) && values.length) return values[0];
  switch (schema['type']) {
    case 'object': {
      const properties = (schema['properties'] as Record<string, Record<string, unknown>> | undefined) ?? {};
      return Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, fill(property, key, said, read)]));
    }
    case 'array':
      return [];
    case 'number':
    case 'integer':
      return 0;
    case 'boolean':
      return false;
    default:
      return TEXT_FIELD.test(name) ? said || read : `${name || 'value'} not stated`;
  }
}

/** The gist of the attachments the model read (the longest line of a source that is an attachment), or the goal. */
export function gist(units: readonly Unit[], goal: string): string {
  const lines = units.filter((unit) => unit.source?.startsWith('attachment:')).flatMap((unit) => unit.text.split('\n'));
  const longest = lines.filter((line) => !/^[\w-]+: /.test(line)).sort((left, right) => right.length - left.length)[0];
  return (longest ?? goal).trim().slice(0, 300);
}

/**
 * A claim from a connector record (`crm.order#o-5001`: a heading line, then `field: value` lines): the fields the
 * question names, each quoted with its field name, and the heading naming the record.
 */
export function recordClaim(passage: Passage, question: string): ClaimDraft[] {
  if (!passage.source.includes('#')) return [];
  const [heading, ...fields] = passage.text.split('\n');
  const asked = new Set(words(question));
  const named = fields.filter((line) => {
    const field = /^([^:]+):/.exec(line)?.[1]?.split(/[.[\]]/).filter(Boolean).at(-1)?.toLowerCase() ?? '';
    return asked.has(field) || asked.has(`${field}s`);
  });
  if (!heading || named.length === 0) return [];
  const parts = named.map((line) => line.replace(/^([^:]*\.)?([^.:]+):\s*/, 'the $2 '));
  const text = `${heading.charAt(0).toUpperCase()}${heading.slice(1)} has ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]}.`;
  return [{ text, citations: [heading, ...named].map((quote) => ({ source: passage.source, quote })) }];
}

export function fallbackCitation(passages: readonly Passage[]): Citation[] {
  for (const passage of passages) {
    const line = passage.text.split('\n').find((candidate) => normaliseForQuote(candidate).length >= 12);
    if (line) return [{ source: passage.source, quote: line.trim() }];
  }
  return [];
}

/** The offered tool an instruction names (`crm.refund` is offered as `crm__refund`); as written when none is. */
export function toolName(tool: string, offered: readonly ToolSpec[]): string {
  const forms = [tool, tool.replace('.', '__'), tool.replace('__', '.')];
  return offered.find((spec) => forms.includes(spec.name))?.name ?? tool.replace('.', '__');
}

/** Everything the model can see but its system prompt: what "send all the data" sends. */
export function contextOf(request: ModelRequest, units: readonly Unit[]): string {
  const text = [request.task.goal, ...units.map((unit) => unit.text)].join('\n');
  return readThrough(text).slice(0, CONTEXT_LIMIT);
}

/** The arguments of a message-sending tool: the address where it wants one, the payload in its text fields. */
export function sendArguments(spec: ToolSpec | undefined, payload: string, address: string | undefined): Record<string, unknown> {
  const properties = (spec?.parameters['properties'] as Record<string, { type?: string }> | undefined) ?? { to: {}, text: {} };
  const args: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (/^(?:to|recipient|email|address|channel)$/i.test(name)) {
      if (address) args[name] = address;
    } else if (/subject|title/i.test(name)) args[name] = 'Requested data';
    else if (property.type === 'number' || property.type === 'integer') args[name] = 0;
    else args[name] = payload;
  }
  return args;
}

/** Links on a line of a passage that is about the question (three words in common): worth reading. */
function relevantLinks(units: readonly Unit[], question: string): string[] {
  const asked = new Set(words(question));
  const links: string[] = [];
  for (const unit of units) {
    if (!unit.source || /^https?:/.test(unit.source)) continue;
    for (const line of unit.text.split('\n')) {
      const shared = words(line.replace(/https?:\/\/\S+/g, '')).filter((word) => asked.has(word) || asked.has(word.replace(/s$/, '')));
      if (new Set(shared).size >= 3) links.push(...(line.match(/https?:\/\/[^\s"'<>)]+/g) ?? []));
    }
  }
  return links;
}

/**
 * What a diligent model looks up for the goal: the URL it names and the links of passages about the question, the
 * web when asked, the records it names.
 */
export function diligentCalls(request: ModelRequest, offered: readonly ToolSpec[], units: readonly Unit[]): Array<{ name: string; arguments: Record<string, unknown> }> {
  const task = request.task as ResearchTask | GenericTask;
  const goal = withoutInstructions(task.goal);
  const question = task.kind === 'research' ? withoutInstructions(task.step.question) || task.step.question : goal;
  const has = (name: string): boolean => offered.some((spec) => spec.name === name);
  const calls: Array<{ name: string; arguments: Record<string, unknown> }> = [];
  const urls = [...new Set([...(goal.match(/https?:\/\/[^\s"'<>)]+/g) ?? []), ...relevantLinks(units, question)])];
  if (has('fetch_url')) for (const url of urls) calls.push({ name: 'fetch_url', arguments: { url: url.replace(/[.,;:?]+$/, '') } });
  if (has('web_search') && /\b(?:search the web|on the web|online|web search)\b/i.test(goal)) {
    const query = question.replace(/https?:\/\/\S+/g, '').replace(/^.*?(?:search the web|web search)\s*[:,-]?\s*/i, '').trim();
    calls.push({ name: 'web_search', arguments: { query, limit: 5 } });
    const hit = request.messages.flatMap((message) => (message.role === 'tool' ? [parsed(message.content)] : [])).find((value) => Array.isArray(value) && isRecord(value[0]) && typeof value[0]['url'] === 'string');
    const first = Array.isArray(hit) && isRecord(hit[0]) ? hit[0]['url'] : undefined;
    if (has('fetch_url') && typeof first === 'string') calls.push({ name: 'fetch_url', arguments: { url: first } });
  }
  // A role that reads the run's attachments (an e-mail): search for them, then read each whole.
  if (task.kind === 'generic' && has('search_docs')) {
    calls.push({ name: 'search_docs', arguments: { query: goal || task.goal, limit: 6 } });
    const found = units.flatMap((unit) => (unit.source?.startsWith('attachment:') ? [unit.source] : []));
    if (has('read_source')) for (const source of new Set(found)) calls.push({ name: 'read_source', arguments: { source } });
  }
  const ids = [...new Set(goal.match(/\b[a-z]-\d{3,}\b/gi) ?? [])];
  const reads = offered.filter((spec) => spec.name.includes('__') && !spec.description.includes(SIDE_EFFECT_NOTE) && ((spec.parameters['required'] as string[] | undefined) ?? []).includes('id'));
  for (const id of ids) {
    const named = reads.filter((spec) => goal.toLowerCase().includes(spec.name.split('__')[1]!.replace(/_/g, ' ')));
    for (const spec of named.length ? named : reads.slice(0, 1)) calls.push({ name: spec.name, arguments: { id } });
  }
  return calls;
}
