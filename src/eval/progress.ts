/**
 * The one-line progress bar `baton eval` redraws on a terminal: how many questions are done, which one runs and how
 * long the eval has taken. It writes through an injected function (the CLI passes the terminal's stderr, only when it
 * is a TTY), redraws in place with a carriage return, and erases itself before anything else is printed.
 *
 * A small renderer of its own rather than a progress-bar package: it is one line, it must escape the question ids it
 * shows (they come from a file), and it must hand the line back cleanly to the report that follows.
 */
import { escapeControlCharacters } from '../text/control-characters.js';
import type { EvalProgressEvent } from './runner.js';

/** Where the bar is drawn: a write function and the terminal's width in columns, when known (read at each draw). */
export interface ProgressTerminal {
  write: (text: string) => void;
  readonly columns?: number;
}

/** Carriage return, then erase to the end of the line. */
const ERASE_LINE = '\r\u001b[K';
const BAR_WIDTH = 24;

/** `1m 05s` or `12s`. */
export function formatElapsed(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

export class ProgressBar {
  private readonly terminal: ProgressTerminal;
  private readonly now: () => number;
  private readonly label: string;
  private readonly startedAt: number;
  private done = 0;
  private total = 0;
  private readonly running = new Set<string>();
  private drawn = false;

  constructor(terminal: ProgressTerminal, options: { label: string; now: () => number }) {
    this.terminal = terminal;
    this.now = options.now;
    this.label = options.label;
    this.startedAt = options.now();
  }

  /** Takes a runner event and redraws. */
  update(event: EvalProgressEvent): void {
    this.total = event.total;
    this.done = event.done;
    if (event.type === 'question-start') this.running.add(event.id);
    else this.running.delete(event.id);
    this.render();
  }

  /** The line as it would be drawn now, without control sequences. */
  line(): string {
    const filled = this.total === 0 ? 0 : Math.round((this.done / this.total) * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    const current = [...this.running].join(', ');
    const text = `${this.label} ${bar} ${this.done}/${this.total}  ${formatElapsed(this.now() - this.startedAt)}${current ? `  ${current}` : ''}`;
    const safe = escapeControlCharacters(text, { multiline: false });
    // 0 or unknown (a pseudo-terminal that does not say): assume the classic 80.
    const width = (this.terminal.columns || 80) - 1;
    return safe.length > width ? `${safe.slice(0, Math.max(0, width - 1))}…` : safe;
  }

  /** Redraws the line in place (call it on a timer so the elapsed time moves while a question runs). */
  render(): void {
    this.terminal.write(`${ERASE_LINE}${this.line()}`);
    this.drawn = true;
  }

  /** Erases the line, leaving the cursor at its start. */
  clear(): void {
    if (!this.drawn) return;
    this.terminal.write(ERASE_LINE);
    this.drawn = false;
  }
}
