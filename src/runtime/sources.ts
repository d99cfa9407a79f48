/**
 * Turns a run's document, audio and e-mail attachments into sources the researcher can search and cite. Audio goes
 * through a `transcription` model chosen by the router (so a confidential run only uses private ones), with retries
 * and fallback; each transcription is recorded as a supervisor turn. An e-mail becomes its text and the documents
 * inside it, recorded as a supervisor turn listing what it held (its images reach vision models through `runImages`).
 */
import { BatonError, errorMessage, ModelError } from '../errors.js';
import { transcribe } from '../models/transcription.js';
import type { HealthTracker } from '../routing/health.js';
import type { RunLabels } from '../routing/needs.js';
import { callWithFallback } from '../routing/resilience.js';
import { rankedModels, route } from '../routing/router.js';
import type { TurnEvent } from '../transcript/schema.js';
import { FolderEvidence } from '../knowledge/folder.js';
import { attachmentRecord, documentText, type Attachment } from './attachments.js';
import { expandEmail } from './email.js';
import type { RunDependencies } from './run.js';

interface PrepareContext {
  deps: RunDependencies & { health: HealthTracker };
  runId: string;
  labels: RunLabels;
  clock: () => Date;
  now: () => number;
  signal: AbortSignal;
  /** The input guards: the texts the run may use (a quarantined one is left out). */
  screen?: (texts: Array<[string, string]>) => Promise<Array<[string, string]>>;
}

/**
 * The run's own sources: attached documents, audio transcripts and e-mails (with the documents inside them),
 * searchable by keyword and citable by name. An e-mail that cannot be read throws its EmailError (a usage error).
 */
export async function prepareRunSources(attachments: readonly Attachment[], context: PrepareContext): Promise<FolderEvidence> {
  const texts: Array<[string, string]> = [];
  for (const attachment of attachments) {
    if (attachment.kind === 'document') texts.push([`attachment:${attachment.name}`, await documentText(attachment)]);
    if (attachment.kind === 'audio') texts.push([`attachment:${attachment.name}#transcript`, await transcribeAttachment(attachment, context)]);
    if (attachment.kind === 'email') texts.push(...(await emailTexts(attachment, context)));
  }
  return FolderEvidence.fromTexts(context.screen ? await context.screen(texts) : texts);
}

/**
 * An e-mail's text, then each PDF or text file inside it. A document inside that cannot be read is left out with a
 * warning rather than failing the run: the e-mail itself, the evidence asked for, was read.
 */
async function emailTexts(attachment: Attachment, context: PrepareContext): Promise<Array<[string, string]>> {
  const started = context.now();
  const startedAt = context.clock().toISOString();
  const email = await expandEmail(attachment);
  const texts: Array<[string, string]> = [[`attachment:${attachment.name}`, email.text]];
  const warnings = [...email.record.warnings];
  for (const document of email.documents) {
    try {
      texts.push([`attachment:${document.name}`, await documentText(document)]);
    } catch (error) {
      warnings.push(`${document.name}: cannot be read (${errorMessage(error)})`);
    }
  }
  await context.deps.store.appendTurn({
    runId: context.runId,
    round: 0,
    from: 'supervisor',
    to: ['researcher'],
    role: 'email',
    kind: 'supervisor',
    model: null,
    startedAt,
    latencyMs: context.now() - started,
    messages: [],
    output: { attachment: attachmentRecord(attachment), contents: email.record.contents, warnings },
    toolCalls: [],
    usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: false },
    costUsd: 0,
    attempts: 0,
    events: [],
  });
  return texts;
}

async function transcribeAttachment(attachment: Attachment, context: PrepareContext): Promise<string> {
  const { deps, labels } = context;
  const specs = deps.project.models;
  const events: TurnEvent[] = [];
  const started = context.now();
  const decision = route({ role: 'transcription', capabilities: ['transcription'] }, labels, specs, deps.health.snapshot());
  events.push({ type: 'route', at: context.now(), chosen: decision.chosen, ranked: decision.ranked, confidential: decision.confidential });
  let text = '';
  let model: string | null = null;
  let error: { code: string; message: string } | undefined;
  try {
    const result = await callWithFallback(
      rankedModels(decision, specs),
      async (spec, signal) => {
        if (spec.provider !== 'openai-compatible') throw new NotTranscribing(spec.name);
        return transcribe(spec, deps.env ?? {}, { fileName: attachment.name, mimeType: attachment.mimeType, bytes: attachment.bytes, signal });
      },
      {
        health: deps.health,
        signal: context.signal,
        ...(labels.deadlineMs !== undefined ? { deadlineMs: labels.deadlineMs } : {}),
        ...(deps.sleep ? { sleep: deps.sleep } : {}),
        ...deps.project.config.resilience,
        now: Date.now,
        onEvent: (event) => {
          if (event.type !== 'attempt-start') events.push({ ...event, at: context.now() });
        },
      },
    );
    text = result.value;
    model = `openai-compatible:${result.model.provider === 'openai-compatible' ? result.model.model : result.model.name}`;
  } catch (caught) {
    error = caught instanceof BatonError ? { code: caught.code, message: caught.message } : { code: 'INTERNAL', message: String(caught) };
    throw caught;
  } finally {
    deps.store.appendTurn({
      runId: context.runId,
      round: 0,
      from: 'supervisor',
      to: ['researcher'],
      role: 'transcription',
      kind: 'supervisor',
      model,
      startedAt: context.clock().toISOString(),
      latencyMs: context.now() - started,
      messages: [],
      output: { attachment: attachmentRecord(attachment), transcript: text },
      toolCalls: [],
      usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, estimated: true },
      costUsd: 0,
      attempts: events.filter((event) => event.type === 'retry').length + 1,
      events,
      ...(error ? { error } : {}),
    });
  }
  return text;
}

/** The offline engine cannot transcribe; treated as a model failure so the router's next choice is tried. */
class NotTranscribing extends ModelError {
  readonly code = 'MODEL_HTTP' as const;
  readonly retryable = false;
  constructor(model: string) {
    super(`model "${model}" cannot transcribe audio`, { endpoint: 'offline', model });
  }
}
