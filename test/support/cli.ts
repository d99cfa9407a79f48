/**
 * The `baton` command line run in-process for tests: `runCli` with injected io (the given working directory, an empty
 * environment, so the offline engine and the built-in sample knowledge answer, and no signal handlers), its output
 * collected instead of printed.
 */
import { expect } from 'vitest';
import { runCli } from '../../src/cli/main.js';

/** What a command returned and printed. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `baton <argv>` in `cwd` with an empty environment; returns its exit status and everything it printed. */
export async function cli(argv: readonly string[], cwd: string): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(argv, { stdout: (text) => stdout.push(text), stderr: (text) => stderr.push(text), env: {}, cwd, onInterrupt: () => () => undefined });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

/** Fails when `text` shows an internal error or a stack trace: bad input must end in a typed error that says what was wrong. */
export function expectClean(text: string): void {
  expect(text).not.toContain('internal error');
  expect(text).not.toMatch(/\n\s+at .+[(:]\d+/);
}
