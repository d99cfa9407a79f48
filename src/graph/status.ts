/**
 * The end states of a run. Apart from the graph state so that what reads records (the transcript store, `baton runs`,
 * the API schemas) gets the enum without loading LangGraph.
 */
import { z } from 'zod';

/** Where a run is: `running` until the supervisor or the runtime decides one of the end states. */
export const RunStatus = z.enum(['running', 'approved', 'unverified', 'budget_exceeded', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;
