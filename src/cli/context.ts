/** What every command module receives from the CLI entry: the process's io and the shared option helpers. */
import type { Command } from 'commander';
import type { Project } from '../config/load.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Registers a Ctrl-C handler; returns the function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
}

export interface CommonOptions {
  config?: string;
  dataDir?: string;
  json?: boolean;
}

export interface CliContext {
  io: CliIo;
  /** Adds --config, --data-dir and --json to a command. */
  common: (command: Command) => Command;
  openProject: (options: CommonOptions & { offline?: boolean }) => Project;
}
