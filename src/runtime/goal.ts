/**
 * What a goal may be. The CLI and the API both check goals here, so they accept and refuse the same text.
 *
 * Control characters and bidi overrides are refused rather than silently removed: a goal is text a person typed or
 * pasted, none of these has a legitimate use in a question, and quietly changing what the model is asked would be
 * worse than saying which character is wrong and where. Right-to-left text needs no overrides (the Unicode bidi
 * algorithm orders it), and the invisible marks LRM, RLM and ALM stay allowed for it.
 */
import { GoalError } from '../errors.js';
import { describeCodePoint, findCharacter, isBidiOverride, isControlCharacter, isLoneSurrogate } from '../text/control-characters.js';

/** The longest goal accepted, in UTF-16 code units (what `string.length` counts). */
export const MAX_GOAL_LENGTH = 8_000;

/**
 * Whether a goal may not contain this character: controls other than newline, tab and CR before LF, bidi overrides,
 * and lone surrogates (a JSON `"\ud800"` or a cut-off emoji: not well-formed Unicode, so no model or store can take it).
 */
function refusedInGoal(codePoint: number, next: number | undefined): boolean {
  if (codePoint === 0x0a || codePoint === 0x09) return false;
  if (codePoint === 0x0d) return next !== 0x0a;
  return isControlCharacter(codePoint) || isBidiOverride(codePoint) || isLoneSurrogate(codePoint);
}

/**
 * Checks a goal before anything is recorded or called; returns it trimmed, with CR LF line ends as LF.
 * Throws {@link GoalError} (exit 64 on the CLI, 400 over the API) naming what is wrong.
 */
export function validateGoal(goal: unknown): string {
  if (typeof goal !== 'string' || goal.trim() === '') throw new GoalError('the goal is empty: say what you want answered, e.g. baton run "What is Baton?"');
  if (goal.length > MAX_GOAL_LENGTH) throw new GoalError(`the goal is ${goal.length} characters; at most ${MAX_GOAL_LENGTH} are accepted`);
  const found = findCharacter(goal, refusedInGoal);
  if (found) {
    const where = found.line > 1 ? `position ${found.position} (line ${found.line}, column ${found.column})` : `position ${found.position}`;
    if (isLoneSurrogate(found.codePoint)) {
      throw new GoalError(`the goal is not well-formed Unicode: ${describeCodePoint(found.codePoint)} at ${where} is half of a surrogate pair without its other half`, {
        hint: 'send the goal as valid UTF-8 text; in JSON, an escape such as \\ud83d must be followed by its low half (\\ude00)',
      });
    }
    const kind = isBidiOverride(found.codePoint) ? 'the bidirectional override' : 'the control character';
    throw new GoalError(`the goal contains ${kind} ${describeCodePoint(found.codePoint)} at ${where}; goals may not contain control characters (newline and tab are fine) or bidi overrides`, {
      hint: 'remove the character (it is often invisible: an escape sequence or a paste from a terminal or a rich-text editor) and try again',
    });
  }
  return goal.replace(/\r\n/g, '\n').trim();
}
