/**
 * Looks at what is about to be sent, before routing: which detectors fire, whether an image is attached, and roughly
 * how many tokens it is. Keeping this step outside `route` lets the router stay a pure function.
 */
import type { ChatMessage, ToolSpec } from '../models/types.js';
import { estimateTokens } from '../models/types.js';
import { builtinDetectors, detectConfidential, type Detection, type Detector } from './detectors.js';

/** Tokens counted per attached image; providers bill images by size, this is a middling figure for estimates. */
export const IMAGE_TOKENS = 1_000;

/** What a scan of outgoing messages found. Only detector names and counts, never the matched data. */
export interface MessageScan {
  /** Detectors that fired, with match counts. */
  detections: Detection[];
  /** Just the detector names, ready for `RouteNeeds.detectedConfidential`. */
  detectedConfidential: string[];
  hasImage: boolean;
  estimatedInputTokens: number;
}

/** Every piece of text in the messages (and tool descriptions), joined, as a model would receive it. */
export function outgoingText(messages: readonly ChatMessage[], tools: readonly ToolSpec[] = []): string {
  const pieces: string[] = [];
  for (const message of messages) {
    if (typeof message.content === 'string') pieces.push(message.content);
    else for (const part of message.content) if (part.type === 'text') pieces.push(part.text);
    if (message.role === 'assistant' && message.toolCalls) {
      for (const call of message.toolCalls) pieces.push(JSON.stringify(call.arguments));
    }
  }
  for (const tool of tools) pieces.push(tool.description);
  return pieces.join('\n');
}

const REDACTED_MARKER = /\[REDACTED:([a-z0-9._-]{1,64})\]/gi;

/**
 * A secret that was redacted before it reached the prompt still says the run handles confidential data: each
 * `[REDACTED:<detector>]` marker counts as a finding of that detector, so routing stays on private models.
 */
function withRedactedMarkers(detections: Detection[], text: string): Detection[] {
  if (!text.includes('[REDACTED:')) return detections;
  const counts = new Map(detections.map((detection) => [detection.detector, detection.count]));
  for (const match of text.matchAll(REDACTED_MARKER)) {
    // `secret` marks a configured API-key value (an endpoint echoing its own key), not data of the run.
    if (match[1] !== 'secret') counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return [...counts].map(([detector, count]) => ({ detector, count }));
}

/** Scans outgoing messages for confidential data and attachments. */
export function scanMessages(
  messages: readonly ChatMessage[],
  detectors: readonly Detector[] = builtinDetectors,
  tools: readonly ToolSpec[] = [],
): MessageScan {
  const text = outgoingText(messages, tools);
  const detections = withRedactedMarkers(detectConfidential(text, detectors), text);
  let images = 0;
  for (const message of messages) {
    if (message.role === 'user' && typeof message.content !== 'string') {
      images += message.content.filter((part) => part.type === 'image').length;
    }
  }
  return {
    detections,
    detectedConfidential: detections.map((detection) => detection.detector),
    hasImage: images > 0,
    estimatedInputTokens: estimateTokens(text) + images * IMAGE_TOKENS,
  };
}
