/**
 * The `[REDACTED:<detector>]` markers redaction leaves in text. Quotes are checked against their sources as read, so
 * a quote that redaction changed is matched with its markers standing for the words they replaced, and the answer
 * says which quotes are partly redacted.
 */

const MARKER = /\[REDACTED:([A-Za-z0-9._-]{1,64})\]/g;

/** The detectors named by the markers in `text`, in order of first appearance, each once. */
export function markerKinds(text: string): string[] {
  return [...new Set([...text.matchAll(MARKER)].map((match) => match[1]!))];
}

/** The detectors whose markers `after` holds more often than `before`: what redaction added. */
export function addedRedactions(before: string, after: string): string[] {
  if (before === after) return [];
  const count = (text: string): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const match of text.matchAll(MARKER)) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
    return counts;
  };
  const was = count(before);
  return [...count(after)].filter(([kind, times]) => times > (was.get(kind) ?? 0)).map(([kind]) => kind);
}

/** `text` with each marker replaced by a space: what a text says in words anyone can see. */
export function withoutMarkers(text: string): string {
  return text.replace(MARKER, ' ');
}

/** `text` cut at its markers: the literal pieces between them (the first and last may be empty). */
export function splitAtMarkers(text: string): string[] {
  return text.split(new RegExp(MARKER.source)).filter((_piece, index) => index % 2 === 0);
}
