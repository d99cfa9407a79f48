/**
 * The customer inquiry's three models, scripted (for the end-to-end test and `npm run bench -- inquiry`): each role is
 * answered by its system prompt, the way a model at temperature 0 answers the same conversation. The intent role finds
 * and reads the e-mail with its tools and extracts what it says; the researchers quote the run's sources (the e-mail,
 * the CRM and ERP records, the returns policy, the inspector's findings). Nothing here is used by Baton itself.
 */

/** A chat request as a fake OpenAI-compatible server receives it: its parsed JSON body. */
export interface RecordedRequest {
  body: unknown;
}

/** A reply: assistant text, or tool calls; with token usage. */
export interface ChatReply {
  content?: string;
  toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

export type Role = 'intent' | 'inspector' | 'planner' | 'researcher' | 'checker' | 'proposer';
const OPENINGS: Array<[string, Role]> = [
  ['You extract the intent', 'intent'],
  ['You inspect photos', 'inspector'],
  ['You are the Planner', 'planner'],
  ['You are the Researcher', 'researcher'],
  ['You are the Checker', 'checker'],
  ['You write a proposal', 'proposer'],
];

interface Message {
  role: string;
  content: unknown;
  tool_calls?: unknown[];
}
/** Text as a model reads through Baton's spotlighting: boundary lines dropped, the datamark (U+02C6) read as a space. */
export const readThrough = (text: string): string => text.replace(/\u00AB\/?data [0-9a-f]{8}[^\u00BB]*\u00BB/g, '').replace(/\u02C6/g, ' ');
export const messagesOf = (request: RecordedRequest): Message[] => (request.body as { messages: Message[] }).messages;
export const modelOf = (request: RecordedRequest): string => (request.body as { model: string }).model;
export const textOf = (request: RecordedRequest): string => readThrough(JSON.stringify(request.body));
export function roleOf(request: RecordedRequest): Role {
  const system = JSON.stringify(messagesOf(request).find((message) => message.role === 'system')?.content ?? '');
  const found = OPENINGS.find(([opening]) => system.includes(opening));
  if (!found) throw new Error(`no role opens its system prompt so: ${system.slice(0, 80)}`);
  return found[1];
}
export const toolResults = (request: RecordedRequest): string[] => messagesOf(request).filter((message) => message.role === 'tool').map((message) => readThrough(String(message.content)));
const json = (value: unknown): ChatReply => ({ content: JSON.stringify(value), usage: { prompt_tokens: 400, completion_tokens: 80 } });
const call = (name: string, args: Record<string, unknown>): ChatReply => ({ toolCalls: [{ name, arguments: args }], usage: { prompt_tokens: 300, completion_tokens: 20 } });

/** A claim citing `source` with the given quotes. */
const claim = (text: string, source: string, quotes: string[]) => ({ text, citations: quotes.map((quote) => ({ source, quote })) });

interface Step {
  question: string;
  /** A source the researcher reads (read_source) before it answers, when the run has not read it yet. */
  reads?: string;
  answer: ReturnType<typeof claim>;
}

/** The plan a model could make of the goal, and what a researcher could answer for each step, quoting the run's sources. */
export function steps(options: { email: string; photo: boolean; wrong?: 'price' | 'stock' | undefined; noDefect?: boolean | undefined }): Step[] {
  const list: Step[] = [
    {
      question: 'What is the customer\'s complaint about order o-5001 in this inquiry?',
      reads: options.email,
      answer: claim('The complaint about order o-5001 is that the water tank of the Barista One espresso machine has cracked and water leaks all over the counter.', options.email, [
        'I am writing with a complaint about order o-5001: the water tank of my Barista One espresso machine has cracked, and water leaks all over the counter every time I switch it on.',
      ]),
    },
    {
      question: 'What is the date and total of order o-5001?',
      answer: claim(`In the purchase history, o-5001 has the date 2024-02-11 and the total ${options.wrong === 'price' ? '139.9' : '129.9'} EUR.`, 'crm.purchase_history#o-5001', [
        'purchase history o-5001',
        'date: 2024-02-11',
        'total: 129.9',
        'currency: EUR',
      ]),
    },
    {
      question: 'How many Barista One espresso machines (SKU-100) are available in stock?',
      answer: claim(`${options.wrong === 'stock' ? '7' : '4'} Barista One espresso machines (SKU-100) are available in stock.`, 'erp.stock#SKU-100', [
        'stock SKU-100',
        'name: Barista One espresso machine',
        'available: 4',
      ]),
    },
    {
      question: 'What does the returns policy say about a part that cracks within 24 months?',
      reads: 'policies/returns.md',
      answer: claim('A part that cracks within 24 months of delivery is replaced free of charge.', 'policies/returns.md', ['A part that cracks within 24 months of delivery is replaced free of charge.']),
    },
  ];
  if (options.photo) {
    list.push({
      question: 'What damage did the inspector find on the photo of the customer inquiry?',
      answer: options.noDefect
        ? claim('The inspector findings show no damage visible on the photo.', 'role:inspector', [
            'inspector findings: Inspects the photo attached to a customer inquiry and reports the damage it shows.',
            'damage: no damage visible',
          ])
        : claim('The inspector findings show damage on the photo: a crack across the side of the water tank.', 'role:inspector', [
            'inspector findings: Inspects the photo attached to a customer inquiry and reports the damage it shows.',
            'damage: a crack across the side of the water tank',
          ]),
    });
  }
  return list;
}

/**
 * The three models, scripted: each role answered by its system prompt, the way a model at temperature 0 would answer
 * the same conversation. The intent role finds and reads the e-mail with its tools and extracts what it says (so an
 * e-mail from someone else, or naming another order, is extracted as such).
 */
export function shopModels(options: { wrong?: 'price' | 'stock'; noDefect?: boolean } = {}) {
  // What the roles before them saw, as a model would read it in its prompt or find it with its tools.
  let photo = true;
  let email = 'attachment:inquiry.eml';
  return {
    chat(request: RecordedRequest): ChatReply {
      const role = roleOf(request);
      const results = toolResults(request);
      switch (role) {
        case 'intent': {
          if (results.length === 0) return call('search_docs', { query: 'From Subject order' });
          if (results.length === 1) {
            const source = /"source":"(attachment:[^"]+\.eml)"/.exec(results[0]!)?.[1];
            if (!source) throw new Error(`the search found no e-mail: ${results[0]!.slice(0, 200)}`);
            email = source;
            return call('read_source', { source });
          }
          const mail = (JSON.parse(results[1]!) as { text: string }).text;
          const sender = /^From: .*<([^>]+)>/m.exec(mail)?.[1] ?? '';
          const order = /\border (o-\d+)/.exec(mail)?.[1] ?? '';
          return json({ intent: 'complaint', product: 'Barista One espresso machine', orderNumber: order, urgency: 'urgent', customerEmail: sender, summary: 'The water tank of the espresso machine cracked and leaks; the customer wants a working machine soon.' });
        }
        case 'inspector':
          photo = textOf(request).includes('image_url');
          return json(
            !photo
              ? { part: 'unknown', damage: 'no photo attached', severity: 'none', matchesComplaint: false, photoPresent: false }
              : options.noDefect
                ? { part: 'water tank', damage: 'no damage visible', severity: 'none', matchesComplaint: false, photoPresent: true }
                : { part: 'water tank', damage: 'a crack across the side of the water tank', severity: 'major', matchesComplaint: true, photoPresent: true },
          );
        case 'planner':
          return json({ steps: steps({ email, photo, wrong: options.wrong, noDefect: options.noDefect }).map((step) => ({ question: step.question, rationale: 'the proposal needs it' })), notes: '' });
        case 'researcher': {
          const text = textOf(request);
          const step = steps({ email, photo, wrong: options.wrong, noDefect: options.noDefect }).find((candidate) => text.includes(candidate.question));
          if (!step) throw new Error('the researcher was asked a question the plan does not have');
          if (step.reads && results.length === 0) return call('read_source', { source: step.reads });
          return json({ claims: [step.answer], gaps: [] });
        }
        case 'checker':
          return json({ decision: 'approve', claims: [], objections: [], feedback: 'every step is answered from its source' });
        case 'proposer':
          if (options.noDefect) {
            return json({
              proposal: 'repair',
              reason: 'The photo shows no damage, so the defect is not confirmed; a workshop inspection decides between repair and replacement.',
              message: 'Dear Ada Lovelace, the photo of your Barista One espresso machine (order o-5001) shows no visible damage. Please send it to our workshop: we will inspect it and repair it free of charge if it is faulty.',
            });
          }
          return json({
            proposal: 'replacement',
            reason: 'The policy replaces a part that cracks within 24 months free of charge; order o-5001 is from 2024-02-11, the inspection shows a crack in the water tank and 4 machines are available.',
            message: 'Dear Ada Lovelace, we are sorry about the cracked water tank of your Barista One espresso machine (order o-5001). We will send you a replacement free of charge within 2 working days.',
          });
      }
    },
  };
}
