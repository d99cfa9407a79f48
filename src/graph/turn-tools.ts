/**
 * What a role's turn reaches outside the model: connector operations as its tools (keyed by the turn, so a replayed
 * turn derives the same idempotency keys; approvals and output-policy decisions recorded on the turn), the sources
 * it adds to the run, and the output policy on side effects.
 */
import type { Stage } from '../config/load.js';
import type { CallSite } from '../connectors/invoke.js';
import { operationTools } from '../connectors/tools.js';
import type { RoleContext } from '../roles/context.js';
import type { Redactor } from '../transcript/redact.js';
import type { TurnEvent } from '../transcript/schema.js';
import { askThroughInterrupt, flaggedSources, hasReadOutside, outsideSources, resultSources } from './action.js';
import type { SupervisorDeps } from './node.js';
import type { RunStateValue } from './state.js';

/**
 * Connector operations as this turn's tools: calls are keyed by this turn (so a replayed turn derives the same
 * idempotency keys), results become sources the checker reads (they join the state with the fetched pages).
 */
export function operationToolsFor(stage: Stage, state: RunStateValue, turn: string, context: RoleContext, deps: SupervisorDeps): NonNullable<RoleContext['operationTools']> {
  return (ids, markRead) =>
    operationTools(
      deps.connectors!,
      ids,
      {
        runId: deps.runId,
        owner: deps.owner,
        turn,
        store: deps.store,
        untrusted: () => hasReadOutside(state, deps) || context.sourceCache.size > 0 || flaggedSources(context.meter.events).length > 0,
        outsideSources: () => [...new Set([...outsideSources(state, deps, context.meter.events), ...[...context.sourceCache.keys()].filter((source) => !source.includes('#'))])],
        ask: askThroughInterrupt(stage, state),
        ...(deps.signal ? { signal: deps.signal } : {}),
        clock: deps.clock,
        onEvent: (event) => context.meter.events.push(event),
        ...policeOf(deps, (event) => context.meter.events.push(event)),
      },
      {
        now: deps.now,
        onResult: (invocation) => {
          for (const [source, text] of Object.entries(resultSources(invocation, deps.store.redact))) {
            context.sourceCache.set(source, text);
            markRead(source, text);
          }
        },
      },
    );
}

/** The call site's output policy, when the project has one for side effects. */
export function policeOf(deps: Pick<SupervisorDeps, 'police'>, onEvent: (event: TurnEvent) => void): Pick<CallSite, 'police'> {
  const police = deps.police?.(onEvent);
  return police ? { police } : {};
}

/** The source a generic role's structured output becomes: `role:<name>`. */
export function roleSource(stage: string): string {
  return `role:${stage}`;
}

/** The pages a turn fetched that the state does not hold yet, redacted; undefined when there are none. */
export function newlyFetched(cache: ReadonlyMap<string, string>, known: Readonly<Record<string, string>> | undefined, redact: Redactor): Record<string, string> | undefined {
  let fetched: Record<string, string> | undefined;
  for (const [url, text] of cache) {
    if (known && url in known) continue;
    (fetched ??= {})[url] = redact(text);
  }
  return fetched;
}

