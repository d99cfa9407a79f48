/** Temporary project folders for tests: a config file, role and prompt files, knowledge files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export interface ProjectFiles {
  [relativePath: string]: string;
}

/** Creates a temp folder holding the given files; returns its path. */
export function makeProject(files: ProjectFiles = {}): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-test-'));
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

/**
 * Returns a maker of empty temp folders named `<prefix>XXXXXX`, all removed once the test file's tests are done.
 * Call it at the top level of a test file, where `afterAll` registers for the whole file.
 */
export function temporaryDirectories(prefix: string): () => string {
  const directories: string[] = [];
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), prefix));
    directories.push(directory);
    return directory;
  };
}

export const EDITOR_ROLE = `name: editor
kind: generic
description: Polishes the draft.
writes: draft
`;

export const EDITOR_PROMPT = `---
variables: [goal, draft]
---
# System
You edit drafts.
# User
Goal: {{goal}}
Draft: {{draft}}
`;
