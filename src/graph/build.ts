/**
 * Builds the LangGraph state machine from a checked flow: one node per stage, each wrapped by the supervisor, which
 * returns a `Command` naming where the run goes next (so routing costs no extra graph step). A researcher stage fans
 * out with `Send`, one task per plan step.
 */
import { Command, END, Send, START, StateGraph, type BaseCheckpointSaver, type LangGraphRunnableConfig } from '@langchain/langgraph';
import type { Stage } from '../config/load.js';
import type { PlanStep } from '../roles/schemas.js';
import { superviseTurn, type SupervisorDeps } from './node.js';
import { RunState, type RunStateValue } from './state.js';
import type { NextStep } from './supervisor.js';

/** What a researcher task receives through `Send`: the state and its plan step. */
interface ResearchInput extends RunStateValue {
  researchStep: PlanStep;
}

function route(next: NextStep, state: RunStateValue): string | string[] | Send[] {
  switch (next.type) {
    case 'stage':
      return next.stage.name;
    case 'fan-out':
      return next.steps.map((step) => new Send(next.stage.name, { ...state, researchStep: step }));
    case 'parallel':
      return next.stages.map((stage) => stage.name);
    case 'end':
      return END;
  }
}

/** The per-run dependencies travel in the invoke config, so one compiled graph serves every run of a flow. */
export const SUPERVISOR_KEY = 'batonSupervisor';

function supervisorOf(config: LangGraphRunnableConfig | undefined): SupervisorDeps {
  const deps = config?.configurable?.[SUPERVISOR_KEY] as SupervisorDeps | undefined;
  if (!deps) throw new Error(`the run graph was invoked without configurable.${SUPERVISOR_KEY}`);
  return deps;
}

/** Builds and compiles the graph of a flow. `stages` are fixed per project; everything else is per run. */
export function buildRunGraph(stages: readonly Stage[], checkpointer?: BaseCheckpointSaver) {
  // The builder's node names are only known at run time (they come from config), so it is typed loosely here and
  // every name is checked against the flow before it is used.
  const graph = new StateGraph(RunState) as unknown as StateGraph<typeof RunState, RunStateValue, Partial<RunStateValue>, string>;
  const targets = [...stages.map((stage) => stage.name), END];
  for (const stage of stages) {
    graph.addNode(
      stage.name,
      async (input: RunStateValue | ResearchInput, config?: LangGraphRunnableConfig) => {
        const step = 'researchStep' in input ? input.researchStep : undefined;
        const { researchStep: _step, ...state } = input as ResearchInput;
        const outcome = await superviseTurn(stage, state, step, supervisorOf(config));
        return new Command({ update: outcome.update, goto: route(outcome.next, outcome.state) });
      },
      { ends: targets },
    );
  }
  // A run opens with the flow's first stage (never a fan-out: the loader puts a planner before any researcher); the
  // supervisor decides every step after that, stop conditions included.
  const first = stages[0]!;
  for (const stage of first.group ? stages.filter((candidate) => candidate.group?.id === first.group!.id) : [first]) graph.addEdge(START, stage.name);
  return graph.compile(checkpointer ? { checkpointer } : {});
}
