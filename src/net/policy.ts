/**
 * Network policy for tools that fetch: which hosts and address ranges are allowed beyond the public internet, and the
 * caps on what a fetch may read. Safe by default: loopback, private, link-local and similar ranges are refused.
 */
import { z } from 'zod';

export const FetchPolicy = z
  .object({
    /** Host names allowed even when they resolve to a private or loopback address, e.g. `intranet.example.com`. */
    allowHosts: z.array(z.string().min(1)).default([]),
    /** CIDR ranges allowed even though private or loopback, e.g. `127.0.0.1/32`. */
    allowRanges: z.array(z.string().min(1)).default([]),
    /** Bytes read at most from one response; larger bodies are cut off and reported as truncated. */
    maxBytes: z.number().int().positive().default(2_000_000),
    /** Milliseconds for one fetch, redirects included. */
    timeoutMs: z.number().int().positive().default(15_000),
    maxRedirects: z.number().int().min(0).max(20).default(5),
  })
  .strict();
export type FetchPolicy = z.infer<typeof FetchPolicy>;

export const defaultFetchPolicy: FetchPolicy = FetchPolicy.parse({});
