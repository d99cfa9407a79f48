import { describe, expect, it } from 'vitest';
import { benchPrompt, benchRegistry, formatRouterBenchReport, runRouterBench } from '../../bench/router.js';
import { builtinDetectors, detectConfidential, redactSecrets } from '../../src/routing/detectors.js';

describe('router bench', () => {
  it('measures every operation and formats a report', async () => {
    const report = await runRouterBench({ iterations: 200, warmup: 20 });
    expect(report.models).toBe(50);
    expect(report.promptBytes).toBe(2048);
    for (const timing of [report.decision, report.scanOnly, report.routeOnly, report.directFakeCall, report.routedFakeCall]) {
      expect(timing.medianMs).toBeGreaterThan(0);
      expect(timing.p99Ms).toBeGreaterThanOrEqual(timing.medianMs);
    }
    expect(formatRouterBenchReport(report)).toMatch(/decision \(scan \+ route\)/);
  });

  it('benchmarks a varied registry and a prompt with no confidential data', () => {
    const registry = benchRegistry(50);
    expect(new Set(registry.map((model) => model.zone))).toEqual(new Set(['private', 'external']));
    expect(new Set(registry.map((model) => model.tier)).size).toBe(3);
    expect(detectConfidential(benchPrompt())).toEqual([]);
  });
});

describe('detector performance', () => {
  it('stays linear on adversarial 100 KB inputs (no catastrophic backtracking)', () => {
    const inputs = [
      '1'.repeat(100_000),
      '1 '.repeat(50_000),
      'a@'.repeat(50_000),
      `${'x'.repeat(60)}@`.repeat(1_500),
      'AB12 '.repeat(20_000),
      '+1 '.repeat(30_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(3_000),
      'password='.repeat(10_000),
      'eyJaaaaaaaaaaa.'.repeat(6_000),
      `Cookie:${' '.repeat(100_000)}`,
      'Cookie:\t'.repeat(12_000),
      `${'a'.repeat(100_000)} %41`,
      '%41'.repeat(30_000),
      '\\u0041'.repeat(15_000),
      'curl '.repeat(20_000),
      'password=\\"'.repeat(8_000),
      'https://a:'.repeat(10_000),
      `Cookie: a=bbbb${'; c=dddd'.repeat(12_000)}`,
      `${`${'x'.repeat(50)};`.repeat(2_000)}Cookie:`,
      // Escaped quotes: runs of backslashes must be read one way only.
      `password: \\\\\\\\"${'\\'.repeat(100_000)}`,
      `password: \\\\\\"${'\\\\x'.repeat(30_000)}`,
      `password: \\"${'\\x\\\\y\\\\\\z'.repeat(10_000)}`,
      `password: "${'\\"'.repeat(50_000)}`,
      `mysql ${' -p'.repeat(30_000)}`,
    ];
    const start = performance.now();
    for (const input of inputs) {
      detectConfidential(input, builtinDetectors);
      redactSecrets(input, builtinDetectors);
    }
    // Measured at about 60 ms in all; a backtracking blow-up takes seconds to minutes.
    expect(performance.now() - start).toBeLessThan(3_000);
  });
});
