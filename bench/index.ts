/**
 * `npm run bench`: every benchmark, each side by side with its baseline in the same run. Pass names to run a subset:
 * `npm run bench -- orchestration`.
 */
import { formatApiBenchReport, runApiBench } from './api.js';
import { formatCliBenchReport, runCliBench } from './cli.js';
import { formatConnectorsReport, runConnectorsBench } from './connectors.js';
import { formatGuardsReport, runGuardsBench } from './guards.js';
import { formatInquiryReport, runInquiryBench } from './inquiry.js';
import { formatOrchestrationReport, runOrchestrationBench } from './orchestration.js';
import { formatRetrievalReport, runRetrievalBench } from './retrieval.js';
import { formatRouterBenchReport, runRouterBench } from './router.js';
import { formatWorkersReport, runWorkersBench } from './workers.js';

const selected = new Set(process.argv.slice(2));
const wants = (name: string): boolean => selected.size === 0 || selected.has(name);

console.log(`Baton benchmarks on Node ${process.version}, ${process.platform}/${process.arch}\n`);
if (wants('orchestration')) console.log(`${formatOrchestrationReport(await runOrchestrationBench())}\n`);
if (wants('router')) console.log(`${formatRouterBenchReport(await runRouterBench())}\n`);
if (wants('retrieval')) console.log(`${formatRetrievalReport(await runRetrievalBench())}\n`);
if (wants('api')) console.log(`${formatApiBenchReport(await runApiBench())}\n`);
if (wants('cli')) console.log(`${formatCliBenchReport(await runCliBench())}\n`);
if (wants('workers')) console.log(`${formatWorkersReport(await runWorkersBench())}\n`);
if (wants('connectors')) console.log(`${formatConnectorsReport(await runConnectorsBench())}\n`);
if (wants('inquiry')) console.log(`${formatInquiryReport(await runInquiryBench())}\n`);
if (wants('guards')) console.log(`${formatGuardsReport(await runGuardsBench())}\n`);
