/** Goal checks shared by the CLI and the API: control characters and bidi overrides are refused by name and position. */
import { describe, expect, it } from 'vitest';
import { GoalError, exitCodeFor, httpStatusFor } from '../../src/errors.js';
import { validateGoal as validateFromRun } from '../../src/runtime/run.js';
import { MAX_GOAL_LENGTH, validateGoal } from '../../src/runtime/goal.js';

function refusal(goal: string): GoalError {
  try {
    validateGoal(goal);
  } catch (error) {
    expect(error).toBeInstanceOf(GoalError);
    return error as GoalError;
  }
  throw new Error(`accepted ${JSON.stringify(goal)}`);
}

describe('validateGoal', () => {
  it('refuses NUL, ESC, BEL, DEL, C1 controls and a lone CR, naming the character as U+XXXX and its position', () => {
    const cases: Array<[string, RegExp]> = [
      ['What\u0000 is Baton?', /U\+0000 \(NUL\) at position 5\b/],
      ['\u001b[31mred\u001b[0m goal', /U\+001B \(ESC\) at position 1\b/],
      ['ring\u0007', /U\+0007 \(BEL\) at position 5\b/],
      ['delete\u007f me', /U\+007F \(DEL\) at position 7\b/],
      ['csi \u009b2J', /U\+009B \(CSI\) at position 5\b/],
      ['next\u0085line', /U\+0085/],
      ['over\rwrite', /U\+000D \(CARRIAGE RETURN\) at position 5\b/],
      ['form\u000cfeed', /U\+000C/],
      ['first line\nsecond \u001b line', /U\+001B \(ESC\) at position 19 \(line 2, column 8\)/],
    ];
    for (const [goal, message] of cases) {
      const error = refusal(goal);
      expect(error.message, JSON.stringify(goal)).toMatch(message);
      expect(error.message).toMatch(/control character/);
      // eslint-disable-next-line no-control-regex
      expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(exitCodeFor(error)).toBe(64);
      expect(httpStatusFor(error)).toBe(400);
    }
  });

  it('refuses bidi embeddings, overrides and isolates (U+202A-202E, U+2066-2069)', () => {
    for (const codePoint of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      const error = refusal(`abc ${String.fromCodePoint(codePoint)}def`);
      expect(error.message).toContain(`U+${codePoint.toString(16).toUpperCase()}`);
      expect(error.message).toMatch(/bidirectional override .* at position 5\b/);
    }
    expect(refusal('pay \u202egnp.exe').message).toContain('RIGHT-TO-LEFT OVERRIDE');
  });

  it('refuses lone surrogates (not well-formed Unicode), naming the position; a whole pair is fine', () => {
    expect(refusal('What is \ud800 Baton?').message).toMatch(/not well-formed Unicode: U\+D800 \(unpaired surrogate\) at position 9\b/);
    expect(refusal('cut off \ud83d').message).toMatch(/U\+D83D \(unpaired surrogate\) at position 9\b/);
    expect(refusal('\ude00 low first').message).toMatch(/U\+DE00 .* at position 1\b/);
    expect(refusal('😀 then \udc00').message).toMatch(/at position 8\b/);
    expect(httpStatusFor(refusal('\ud800'))).toBe(400);
    expect(validateGoal('Is 😀 \ud83d\ude00 fine?')).toBe('Is 😀 😀 fine?');
  });

  it('counts positions in characters, so an emoji before the control counts once', () => {
    expect(refusal('😀\u001b').message).toMatch(/at position 2\b/);
  });

  it('accepts newline, tab, CR LF and right-to-left text with its marks; CR LF becomes LF', () => {
    expect(validateGoal('  line one\r\n\tline two  ')).toBe('line one\n\tline two');
    expect(validateGoal('מה זה באטון\u200f?')).toBe('מה זה באטון\u200f?');
    expect(validateGoal('What is Baton?')).toBe('What is Baton?');
  });

  it('keeps the empty and too-long checks, and the export from run.ts', () => {
    expect(refusal('  \t\n ').message).toMatch(/the goal is empty/);
    expect(refusal('x'.repeat(MAX_GOAL_LENGTH + 1)).message).toMatch(/at most 8000/);
    expect(validateFromRun).toBe(validateGoal);
  });
});
