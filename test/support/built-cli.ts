/**
 * A throwaway copy of the `baton` executable for tests that must run the real process: `src/` and `tools/` are
 * transpiled (no type check, a second or two) into `<copy>/dist/` the way `npm run build` lays them out, next to
 * `bin/baton.js`, `package.json` and links to `node_modules`, `agents`, `prompts` and `examples`. The tests then spawn
 * `node bin/baton.js ...` with a module hook that writes down every module the process resolves, so they can check
 * what a command loads without depending on how fast the machine is.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const REPOSITORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Resolves every import through the next hook and appends the resolved URL to the file named in `data.out`. */
const RESOLVE_HOOK = `import { appendFileSync } from 'node:fs';
let out;
export async function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, result.url + '\\n');
  return result;
}
`;

/** Registers the hook for ES modules and, at exit, adds the CommonJS modules in require's cache. */
const RECORDER = `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
const out = process.env.BATON_TEST_MODULES_OUT;
register(new URL('./resolve-hook.mjs', import.meta.url), { data: { out } });
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(out, Object.keys(require.cache).join('\\n') + '\\n'));
`;

function transpileTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) {
      transpileTree(source, path.join(to, entry.name));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      const output = ts.transpileModule(readFileSync(source, 'utf8'), {
        fileName: source,
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      });
      mkdirSync(to, { recursive: true });
      writeFileSync(path.join(to, entry.name.replace(/\.ts$/, '.js')), output.outputText);
    }
  }
}

/** A built copy of the CLI; `remove` deletes it. */
export interface BuiltCli {
  root: string;
  executable: string;
  remove(): void;
}

/** Transpiles the current sources into a temp folder laid out like the published package. */
export function buildCliCopy(): BuiltCli {
  const root = mkdtempSync(path.join(os.tmpdir(), 'baton-built-cli-'));
  transpileTree(path.join(REPOSITORY, 'src'), path.join(root, 'dist', 'src'));
  transpileTree(path.join(REPOSITORY, 'tools'), path.join(root, 'dist', 'tools'));
  mkdirSync(path.join(root, 'bin'));
  copyFileSync(path.join(REPOSITORY, 'bin', 'baton.js'), path.join(root, 'bin', 'baton.js'));
  copyFileSync(path.join(REPOSITORY, 'package.json'), path.join(root, 'package.json'));
  for (const folder of ['node_modules', 'agents', 'prompts', 'examples']) symlinkSync(path.join(REPOSITORY, folder), path.join(root, folder), 'dir');
  // The dashboard's files are served from the package's src/server/dashboard, as published.
  mkdirSync(path.join(root, 'src', 'server'), { recursive: true });
  symlinkSync(path.join(REPOSITORY, 'src', 'server', 'dashboard'), path.join(root, 'src', 'server', 'dashboard'), 'dir');
  writeFileSync(path.join(root, 'resolve-hook.mjs'), RESOLVE_HOOK);
  writeFileSync(path.join(root, 'record-modules.mjs'), RECORDER);
  return { root, executable: path.join(root, 'bin', 'baton.js'), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** What one spawned command printed and which modules it loaded. */
export interface RecordedCommand {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Resolved file URLs and CommonJS paths, in load order, with duplicates. */
  modules: string[];
}

/** Runs `baton <argv>` from the copy in `cwd`, recording every module it loads. */
export function runRecorded(cli: BuiltCli, argv: readonly string[], cwd: string, env: Record<string, string> = {}): RecordedCommand {
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'baton-modules-')), 'modules.txt');
  writeFileSync(out, '');
  const result = spawnSync(process.execPath, ['--import', path.join(cli.root, 'record-modules.mjs'), cli.executable, ...argv], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, NO_COLOR: '1', ...env, BATON_TEST_MODULES_OUT: out },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const modules = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  rmSync(path.dirname(out), { recursive: true, force: true });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

/** The npm packages among recorded modules (`@scope/name` or `name`), each once. */
export function packagesOf(modules: readonly string[]): string[] {
  const names = new Set<string>();
  for (const module of modules) {
    const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(module);
    if (match?.[1]) names.add(match[1].replace(/\\/g, '/'));
  }
  return [...names].sort();
}
