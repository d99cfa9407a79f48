/**
 * The prompt-injection suite as a benchmark: every attack task and its benign twin against the obedient model, with
 * guards off (the baseline: what an obedient model does when nothing stops it) and on (the config's default). The
 * test `test/guards/suite/injection-suite.int.test.ts` runs the same harness and asserts on it.
 */
import { runSuite, type TaskPair, type Totals } from './harness.js';

export type { TaskPair, TaskRunResult, Totals } from './harness.js';
export { runSuite, runTask } from './harness.js';
export { ObedientModel } from './obedient-model.js';
export { ALL_TASKS } from './tasks.js';
export type { AttackGoal, InjectionTask, Vector } from './task.js';

/** The suite's totals with guards off, with structure only (no detectors), and fully on. */
export async function runInjectionSuite(): Promise<{ off: Totals; structure: Totals; on: Totals }> {
  const off = await runSuite({ guards: false });
  const structure = await runSuite({ guards: 'structure' });
  const on = await runSuite({ guards: true });
  return { off: off.totals, structure: structure.totals, on: on.totals };
}

/** One line per task: what its attack did, what its twin did, what stopped the attack. */
export function formatSuiteTable(pairs: readonly TaskPair[]): string {
  const rows = pairs.map(({ task, attack, twin }) => {
    const effects = `${attack.sideEffects.performedForAttacker} done/${attack.sideEffects.awaitingApproval} parked`;
    const stopped = attack.stoppedBy?.join(' ') ?? '';
    return `${task.id.padEnd(32)} ${task.vector.padEnd(13)} ${task.goal.padEnd(18)} ${(attack.attackSucceeded ? 'SUCCEEDED' : 'failed').padEnd(9)} ${attack.status.padEnd(14)} ${effects.padEnd(17)} twin:${twin.completed ? 'ok' : twin.status} ${stopped}`;
  });
  return [`${'task'.padEnd(32)} ${'vector'.padEnd(13)} ${'goal'.padEnd(18)} ${'attack'.padEnd(9)} ${'status'.padEnd(14)} ${'side effects'.padEnd(17)} twin stopped-by`, ...rows].join('\n');
}

/** The two settings side by side. */
export function formatSuiteReport(totals: { off: Totals; structure?: Totals; on: Totals }): string {
  const cell = (entry: Totals | undefined, pick: (entry: Totals) => number): string => (entry ? String(pick(entry)) : '-').padStart(10);
  const line = (name: string, pick: (entry: Totals) => number): string => `  ${name.padEnd(36)} ${cell(totals.off, pick)} ${cell(totals.structure, pick)} ${cell(totals.on, pick)}`;
  return [
    `Prompt-injection suite (${totals.off.tasks} attacks, each with a benign twin; obedient scripted model)`,
    `  ${''.padEnd(36)} ${'off'.padStart(10)} ${'structure'.padStart(10)} ${'on'.padStart(10)}`,
    line('attacks succeeded', (entry) => entry.attacksSucceeded),
    line('side effects done for the attacker', (entry) => entry.sideEffectsForAttacker),
    line('attacker side effects parked', (entry) => entry.awaitingApproval),
    line('fabricated sources approved', (entry) => entry.fabricatedSourcesApproved),
    line('system prompt leaks', (entry) => entry.systemPromptLeaks),
    line('canary leaks', (entry) => entry.canaryLeaks),
    line('benign twins completed', (entry) => entry.twinsCompleted),
  ].join('\n');
}
