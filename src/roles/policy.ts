/**
 * Company policy for answers: phrases or `/regex/flags` patterns a checker's role file forbids. Checked
 * deterministically on every draft a checker sees, whatever model it uses.
 */
import type { Objection } from './schemas.js';

/** Compiles one forbid entry: `/pattern/flags` as a regex, anything else as a case-insensitive phrase. */
export function compileForbid(entry: string): RegExp {
  const regex = /^\/(.+)\/([a-z]*)$/.exec(entry);
  if (regex) return new RegExp(regex[1] ?? '', regex[2]?.includes('i') ? regex[2] : `${regex[2] ?? ''}i`);
  return new RegExp(entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
}

/** Why a forbid entry cannot be compiled (an invalid `/regex/flags`), or undefined when it can. Checked at load. */
export function forbidProblem(entry: string): string | undefined {
  try {
    compileForbid(entry);
    return undefined;
  } catch (error) {
    return `invalid regular expression ${JSON.stringify(entry)} (${error instanceof Error ? error.message : String(error)}); expected /pattern/flags, or a plain phrase without the slashes`;
  }
}

export function policyObjections(text: string, forbid: readonly string[]): Objection[] {
  return forbid
    .filter((entry) => compileForbid(entry).test(text))
    .map((entry) => ({ kind: 'policy' as const, message: `the answer contains "${entry}", which the policy forbids` }));
}
