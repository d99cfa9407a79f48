/**
 * Telemetry that is off costs nothing: src/telemetry/index.ts, and every module it loads, imports no OpenTelemetry
 * package at run time (type-only imports are erased), and the SDK module is reached only through a dynamic import.
 * Checked on the syntax tree, so a comment or a string cannot fool it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createTelemetry, noTelemetry } from '../../src/telemetry/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface ModuleImports {
  /** Specifiers imported (or re-exported) for their values, i.e. loaded when the module loads. */
  loaded: string[];
  /** Specifiers of `import('...')` calls. */
  dynamic: string[];
}

function importsOf(file: string): ModuleImports {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const result: ModuleImports = { loaded: [], dynamic: [] };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (!clause.name && clause.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      if (!typeOnly) result.loaded.push(node.moduleSpecifier.text);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      if (!node.isTypeOnly) result.loaded.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      result.dynamic.push(specifier && ts.isStringLiteral(specifier) ? specifier.text : '<computed>');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return result;
}

/** Every package a module loads, following its relative static imports. */
function packagesLoadedBy(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of importsOf(file).loaded) {
      if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  }
  return { packages, files };
}

describe('telemetry module loading', () => {
  const index = path.join(root, 'src/telemetry/index.ts');

  it('index.ts loads no @opentelemetry package, directly or through what it imports', () => {
    const { packages, files } = packagesLoadedBy(index);
    expect([...packages].filter((name) => name.startsWith('@opentelemetry'))).toEqual([]);
    expect([...files].map((file) => path.relative(root, file))).toEqual(['src/telemetry/index.ts']);
  });

  it('reaches the SDK only through import("./otel.js"), which does load OpenTelemetry', () => {
    expect(importsOf(index).dynamic).toEqual(['./otel.js']);
    const otel = importsOf(path.join(root, 'src/telemetry/otel.ts'));
    expect(otel.loaded).toContain('@opentelemetry/sdk-trace-base');
  });

  it('the no-op telemetry is a frozen plain object that runs the work and records nothing', async () => {
    expect(Object.getPrototypeOf(noTelemetry)).toBe(Object.prototype);
    expect(Object.isFrozen(noTelemetry)).toBe(true);
    expect(noTelemetry.enabled).toBe(false);
    const failure = new Error('boom');
    await expect(noTelemetry.run({ runId: 'r' }, () => Promise.resolve(1), () => 'approved')).resolves.toBe(1);
    await expect(noTelemetry.turn({ runId: 'r', role: 'planner', kind: 'planner', round: 1 }, () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(noTelemetry.modelCall({ operation: 'chat', provider: 'openai', model: 'm' }, () => Promise.resolve('x'))).resolves.toBe('x');
    await expect(noTelemetry.toolCall({ name: 't' }, () => Promise.resolve('y'))).resolves.toBe('y');
    expect(noTelemetry.guard({ type: 'guard', at: 0, surface: 'goal', action: 'allow', source: 'goal', detections: [] })).toBeUndefined();
    await expect(noTelemetry.shutdown()).resolves.toBeUndefined();
  });

  it('createTelemetry returns the no-op telemetry when no endpoint is set', async () => {
    await expect(createTelemetry({ env: {}, serviceVersion: '1.0.0' })).resolves.toBe(noTelemetry);
    await expect(createTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }, serviceVersion: '1.0.0' })).resolves.toBe(noTelemetry);
  });
});
