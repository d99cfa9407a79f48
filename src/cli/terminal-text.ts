/**
 * The one sanitiser between stored text and the terminal. Goals, document text, model output, file names and error
 * messages can all carry control or bidi characters; printed raw they could recolour the screen, move the cursor,
 * overwrite a line or reorder what a reader sees. Everything the CLI prints goes through {@link terminalIo}, which
 * shows such characters as visible escapes (`\u001b`).
 *
 * The escapes are spelled as in JSON, so `--json` output stays exact JSON with the same value: JSON.stringify already
 * escapes C0 controls, and the characters left raw (DEL, C1 such as the one-byte CSI U+009B, bidi controls) only
 * occur inside its strings, where `\u009b` means the same character.
 */
import { escapeControlCharacters } from '../text/control-characters.js';
import type { CliIo } from './context.js';

/** Text for the terminal, over several lines: newline and tab kept, every other control and bidi character escaped. */
export function terminalText(text: string): string {
  return escapeControlCharacters(text, { multiline: true });
}

/** Text that must stay on one line (a table cell, a progress line): newline and tab are escaped too. */
export function terminalLine(text: string): string {
  return escapeControlCharacters(text, { multiline: false });
}

/** The same io, with everything written to stdout and stderr passed through {@link terminalText}. Idempotent. */
export function terminalIo(io: CliIo): CliIo {
  return {
    ...io,
    stdout: (text) => io.stdout(terminalText(text)),
    stderr: (text) => io.stderr(terminalText(text)),
  };
}
