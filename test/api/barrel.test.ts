import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Every project file reachable from a module through its static relative imports. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
      const specifier = match[1] ?? match[2]!;
      queue.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  }
  return seen;
}

describe('public API', () => {
  it('exports the runtime by name', async () => {
    const api = await import('../../src/index.js');
    expect(typeof api.runGoal).toBe('function');
    expect(typeof api.loadProject).toBe('function');
    expect(typeof api.ScriptedModel).toBe('function');
  });

  it('does not load the CLI or the HTTP server', () => {
    const files = [...reachable(path.join(root, 'src/index.ts'))].map((file) => path.relative(root, file));
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((file) => file.startsWith('src/cli/') || file.startsWith('src/server/'))).toEqual([]);
  });
});
