/**
 * Network policy for tools that fetch: which hosts and address ranges are allowed beyond the public internet, and the
 * caps on what a fetch may read. Safe by default: loopback, private, link-local and similar ranges are refused.
 */
import { z } from 'zod';
import { HOST_ENTRY_HELP, parseHostEntry, parseRangeEntry, RANGE_ENTRY_HELP } from './allow-list.js';

/** An allow-list entry, checked with `parse` so a malformed one is reported at load time with its value. */
function allowEntry(kind: string, parse: (text: string) => object | undefined, help: string): z.ZodString {
  return z
    .string()
    .min(1)
    .superRefine((text, context) => {
      if (parse(text) === undefined) context.addIssue({ code: 'custom', message: `"${text}" is not a valid ${kind} entry: ${help}` });
    });
}

export const FetchPolicy = z
  .object({
    /**
     * Host names allowed even when they resolve to a private or loopback address, e.g. `intranet.example.com`. With a
     * port (`intranet.example.com:8443`) only that port is allowed; without one, every port.
     */
    allowHosts: z.array(allowEntry('allowHosts', parseHostEntry, HOST_ENTRY_HELP)).default([]),
    /**
     * CIDR ranges allowed even though private or loopback, e.g. `10.0.0.0/8`. With a port (`127.0.0.1/32:8080`,
     * `[::1]/128:8080`) only that port is allowed, redirects included; without one, every port of the range.
     */
    allowRanges: z.array(allowEntry('allowRanges', parseRangeEntry, RANGE_ENTRY_HELP)).default([]),
    /** Bytes read at most from one response; larger bodies are cut off and reported as truncated. */
    maxBytes: z.number().int().positive().default(2_000_000),
    /** Milliseconds for one fetch, redirects included. */
    timeoutMs: z.number().int().positive().default(15_000),
    maxRedirects: z.number().int().min(0).max(20).default(5),
  })
  .strict();
export type FetchPolicy = z.infer<typeof FetchPolicy>;

export const defaultFetchPolicy: FetchPolicy = FetchPolicy.parse({});
