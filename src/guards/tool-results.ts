/**
 * Guards on what tools return before a model reads it: every result (built-in tools, connector and MCP operations) is
 * screened by the run's detectors and spotlighted. A list (search passages, search results) is screened item by item,
 * so one poisoned passage is withheld and the rest still reach the model. A withheld item is replaced by a note that
 * says why, and the sources it would have added are forgotten, so no claim can cite what the model never saw.
 */
import type { ToolRunner } from '../roles/structured.js';
import { describeDetections, GuardError } from './errors.js';
import { RunGuard } from './run-guard.js';
import type { GuardEvent } from './types.js';

export interface ToolGuardHooks {
  /** Records a decision on the turn, and `outside-read` events (what the run read from outside, for approvals). */
  onEvent: (event: GuardEvent | { type: 'outside-read'; at: number; source: string }) => void;
  /** The sources read so far in the turn, and the texts of outside sources: entries a withheld result added are removed. */
  read: Set<string>;
  cache: Map<string, string>;
  signal?: AbortSignal;
}

/** Knowledge-base tools read the company's documents; the rest read the outside. */
function surfaceOf(tool: string): 'tool' | 'knowledge' {
  return tool === 'search_docs' || tool === 'read_source' ? 'knowledge' : 'tool';
}

/** The source an item of a tool's list names (`source` of a passage, `url` of a search result). */
function itemSource(item: unknown, fallback: string): string {
  if (item && typeof item === 'object') {
    const record = item as Record<string, unknown>;
    for (const key of ['source', 'url', 'id']) if (typeof record[key] === 'string') return record[key];
  }
  return fallback;
}

function parse(content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch {
    return undefined;
  }
}

/** A runner whose results are screened and marked by the run's guard; the runner itself when guards are off. */
export function guardedRunner(runner: ToolRunner, guard: RunGuard, hooks: ToolGuardHooks): ToolRunner {
  if (!guard.enabled) return runner;
  return {
    specs: runner.specs,
    run: async (call) => {
      const readBefore = new Set(hooks.read);
      const cachedBefore = new Set(hooks.cache.keys());
      const result = await runner.run(call);
      const surface = surfaceOf(call.name);
      // Whatever a tool other than the knowledge base's answered (a result, a snippet, an error quoting a system's
      // reply) came from outside: side effects with `approval: untrusted` ask from now on, even when nothing of it is
      // kept as a source (web search snippets, a failed call).
      if (surface === 'tool') hooks.onEvent({ type: 'outside-read', at: Date.now(), source: call.name });
      const forget = (sources?: ReadonlySet<string>): void => {
        for (const source of [...hooks.read]) if (!readBefore.has(source) && (!sources || sources.has(source) || [...sources].some((prefix) => source.startsWith(`${prefix}#`)))) hooks.read.delete(source);
        for (const source of [...hooks.cache.keys()]) if (!cachedBefore.has(source) && (!sources || sources.has(source) || [...sources].some((prefix) => source.startsWith(`${prefix}#`)))) hooks.cache.delete(source);
      };
      const decide = (event: GuardEvent | undefined, action: string, source: string): void => {
        if (event) hooks.onEvent(event);
        if (action === 'block' && result.record.error) return; // an error is withheld below, never raised again
        if (action === 'block') throw new GuardError('GUARD_BLOCKED', `the result of ${call.name} from ${source} was refused: it carries instructions to an AI (${describeDetections(event!)})`, event!, { hint: `set guards.${surface === 'knowledge' ? 'knowledge' : 'tools'}: quarantine to withhold such results and go on` });
      };
      const value = parse(result.content);
      if (result.record.error) {
        // An error can quote what the system answered (a 4xx body, an MCP tool's own text): screened and marked too.
        const screened = await guard.screen(surface, call.name, result.content, hooks.signal);
        decide(screened.event, screened.action, call.name);
        if (screened.action === 'quarantine' || screened.action === 'block') return { content: RunGuard.withheld(call.name, screened.event!), record: result.record };
        return { ...result, content: value === undefined ? guard.mark(call.name, result.content) : String(guard.markJson(call.name, value)) };
      }
      if (Array.isArray(value)) {
        const kept: unknown[] = [];
        const withheld = new Set<string>();
        for (const item of value) {
          const source = itemSource(item, call.name);
          const screened = await guard.screen(surface, source, typeof item === 'string' ? item : JSON.stringify(item), hooks.signal);
          decide(screened.event, screened.action, source);
          if (screened.action === 'quarantine') {
            withheld.add(source);
            kept.push(JSON.parse(RunGuard.withheld(source, screened.event!)) as unknown);
          } else kept.push(item);
        }
        const stillCited = new Set(kept.map((item) => itemSource(item, '')));
        if (withheld.size) forget(new Set([...withheld].filter((source) => !stillCited.has(source) || kept.some((item) => (item as { withheld?: boolean }).withheld && itemSource(item, '') === source))));
        return { ...result, content: String(guard.markJson(call.name, kept)) };
      }
      const screened = await guard.screen(surface, call.name, result.content, hooks.signal);
      decide(screened.event, screened.action, call.name);
      if (screened.action === 'quarantine') {
        forget();
        return { content: RunGuard.withheld(call.name, screened.event!), record: { ...result.record, resultSummary: `withheld by the guard (${describeDetections(screened.event!)})` } };
      }
      return { ...result, content: value === undefined ? guard.mark(call.name, result.content) : String(guard.markJson(call.name, value)) };
    },
  };
}

/**
 * The passages a researcher is handed (its step's search) screened like a search tool's result: a flagged passage is
 * withheld (quarantine) or fails the turn (block); attachments were screened when the run started and are not again.
 */
export async function screenPassages<Passage extends { source: string; text: string }>(passages: readonly Passage[], guard: RunGuard, onEvent: (event: GuardEvent) => void, signal?: AbortSignal): Promise<Passage[]> {
  if (!guard.enabled) return [...passages];
  const kept: Passage[] = [];
  for (const passage of passages) {
    if (passage.source.startsWith('attachment:')) {
      kept.push(passage);
      continue;
    }
    const screened = await guard.screen('knowledge', passage.source, passage.text, signal);
    if (screened.event) onEvent(screened.event);
    if (screened.action === 'block') throw new GuardError('GUARD_BLOCKED', `a passage of ${passage.source} was refused: it carries instructions to an AI (${describeDetections(screened.event!)})`, screened.event!, { hint: 'set guards.knowledge: quarantine to withhold such passages and go on' });
    if (screened.action !== 'quarantine') kept.push(passage);
  }
  return kept;
}
