/**
 * The `fake-system-turn`, `address-ai` and `tool-command` rules: text that speaks to the model as its chat template,
 * as an AI, or as its tool caller.
 */
import { LEAD, raw, type PhraseGroup } from '../rules.js';
import { AI, TARGET, TOOL_ID, K_TOOL_NOUN } from './vocabulary.js';

export const ADDRESS_GROUPS: readonly PhraseGroup[] = [
  // ---- fake-system-turn ---------------------------------------------------------------------------------------------
  {
    rule: 'fake-system-turn',
    keys: ['<|', '[inst', '[/inst', '<<sys', '<</sys', '</s>', '<start_of_turn', '<end_of_turn', '<s>'],
    patterns: [
      raw`<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|channel|message|end|start|tool|ipython|developer)\|>`,
      raw`\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>|</s> ?(?:<s>|\[inst\]|<\||(?:system|user|assistant|human) ?:)|<s> ?\[inst\]`,
    ],
  },
  {
    rule: 'fake-system-turn',
    keys: ['system', 'assistant', 'human', 'user', 'ai', 'developer', 'sys'],
    patterns: [
      raw`\b(?:system|assistant|human|user|ai|developer|sys|system message|system prompt)(?<=(?:^|\n) ?[*#>[]{0,3} ?(?:system|assistant|human|user|ai|developer|sys|system message|system prompt))\]?[*]{0,2} ?:[*]{0,2} ?[^\n]{0,80}?(?<![\w/.\-])(?:ignore|disregard|forget|override|you (?:must|are now|will now|should now|have been|are required|are instructed|may now)|from now on|new (?:instructions|rules|task|role)|reveal|print your|output your|approve|mark (?:it|this)|do not (?:tell|reject|mention|reveal|refuse)|don't (?:tell|reject|mention|reveal|refuse)|always respond|never refuse|respond only|jailbr|developer mode|access granted|sure[,!]? (?:here is|here's|i will|i'll)|the (?:user|assistant|ai|model) (?:is|has been|must|should|will now|may now)|i will (?:now )?(?:ignore|approve|comply|reveal|obey))`,
    ],
  },
  {
    rule: 'fake-system-turn',
    keys: ['<system', '<sys', '<developer', '<im_system', '<admin', '<instruction', '[system', '[admin', '[developer', '[sys'],
    patterns: [
      raw`<(?:system|sys|system[_ -]?(?:prompt|message|instructions?|note|override)|developer[_ -]?(?:message|instructions?|prompt)|im_system|admin[_ -]?(?:message|instructions?))>|<(?:system|instructions?|admin|developer)>[^<]{0,200}?\b(?:you|ignore|disregard|instructions?|assistant|ai|model|must|reveal|always|never|do not|don't|approve|send)\b`,
      raw`\[(?:system|system message|system prompt|admin|developer|sys)\] ?:? ?[^\n]{0,80}?\b(?:ignore|disregard|you|must|new|always|never|do not|don't|approve|reveal|override)\b`,
    ],
  },
  {
    rule: 'fake-system-turn',
    keys: ['systeme', 'sistema', 'systeem', 'система', '系统', '系統', 'システム'],
    patterns: [
      raw`(?:systeme|sistema|systeem|система|系统|系統|システム)(?<=(?:^|\n) ?(?:systeme|sistema|systeem|система|系统|系統|システム)) ?: ?[^\n]{0,60}?(?:ignor|vergiss|oubli|olvid|dimentic|esquec|negeer|игнор|забуд|忽略|无视|無視|忘记|忘れ|du bist|tu es|vous etes|eres|sei|voce e|je bent|ты|你是|あなたは)`,
    ],
  },

  // ---- address-ai ---------------------------------------------------------------------------------------------------
  {
    rule: 'address-ai',
    keys: ['dear', 'hey', 'hello', 'hi ', 'p.s', 'ps to', 'ps for', 'p s', 'attention', 'note to', 'note for', 'message to', 'message for', 'memo to', 'instruction', 'notice to', 'notice for', 'reminder', 'important for', 'important to', 'a note for', 'this is a note', 'this is a message'],
    patterns: [
      raw`\b(?:dear|hey|hello|hi|attention|note to|note for|message to|message for|memo to|instructions? (?:to|for)|notice (?:to|for)|reminder (?:to|for)|important (?:for|to)|a note for|this (?:is )?(?:a )?(?:note|message) for|p\.? ?s\.? (?:to|for)) (?:the |any |all |every |an? |you,? )?${AI}\b(?: ?[:!-]|, (?:please|you|ignore|do|don't|make|when|if|always|never|note|remember|before)\b| (?:reading|processing|that|who|which|summari[sz]ing|analy[sz]ing|reviewing|evaluating|checking|parsing|scanning|handling)\b)`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['reading', 'processing', 'parsing', 'summari', 'analy', 'reviewing', 'viewing', 'scanning', 'seeing', 'evaluating', 'checking', 'handling', 'ingesting', 'crawling', 'indexing', 'answering', 'responding to', 'replying to', 'working on', 'using this', 'using these', 'that reads', 'who reads', 'that sees', 'that processes', 'who processes', 'who sees', 'that answers', 'who answers'],
    patterns: [
      raw`\b(?:${AI}|assistants?|agents?|bots?) (?:\S+ ){0,2}(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|reviewing|viewing|scanning|seeing|evaluating|checking|handling|ingesting|crawling|indexing|answering|responding to|replying to|working on|using|that (?:reads?|processes|sees|summari[sz]es|analy[sz]es|answers)|who (?:reads?|processes|sees|answers)) (?:this|these|the following|my|our)\b[^.!?\n]{0,80}?\b(?:must|should|shall|need to|needs to|have to|has to|is required to|are required to|is instructed to|are instructed to|please|do not|don't|must not|should not|will|is to|are to|ought to|ignore|disregard)\b`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['if you are', "if you're", 'when you are', "when you're", 'in case you are', "in case you're", 'if you happen', 'should you be', 'as an ai', 'as a language', 'as an llm', 'as a large', 'as an artificial', 'as a chatbot', 'as an a.i.', 'as a.i.'],
    patterns: [
      raw`\b(?:if|when|in case|should) you(?: are|'re| happen to be| be)(?: an?| the)? (?:${AI}|claude|gemini|copilot)\b(?! (?:developer|engineer|researcher|company|startup|vendor|provider|expert|enthusiast|trainer|team|product|user|practitioner|specialist|consultant|student)s?\b)`,
      raw`\bas an? (?:ai|a\.i\.|llm|large language model|language model|ai (?:assistant|model|agent|system)|chatbot|artificial intelligence)(?: \S+)?,? you (?:must|should|shall|will|are (?:required|instructed|expected|obligated|asked)|need|have to)\b`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['intended for', 'meant for', 'addressed to', 'directed at', 'written for', 'is for', 'are for', 'only for', 'is only for', 'are only for'],
    patterns: [
      raw`\b(?:this|the following|these) (?:message|text|instructions?|note|section|paragraph|content|comment|line|lines|part) (?:is|are) (?:only )?(?:for|intended for|addressed to|directed at|meant for|written for) (?:the |any |all |an? )?(?:${AI}|assistant|model|models)\b`,
    ],
  },
  {
    rule: 'address-ai',
    keys: ['wenn du', 'falls du', 'wenn sie', 'falls sie', 'si tu es', 'si vous etes', 'si eres', 'si usted es', 'se sei', 'se e', 'se voce', 'se tu', 'als je', 'als u', 'hinweis', 'nachricht', 'notiz', 'note a', 'note pour', 'message a', 'message pour', 'nota para', 'nota per', 'notitie voor', 'bericht voor', 'если ты', 'если вы', 'ии', 'нейросеть', 'языковая модель', '如果你是', '如果您是', '假如你是', '若你是', 'もしあなたが', 'あなたが', '给ai', '致ai', '给人工智能', '致人工智能', 'aiへの', '만약'],
    patterns: [
      raw`\b(?:wenn|falls) (?:du|sie) (?:eine? )?(?:ki|k\.i\.|kunstliche intelligenz|sprachmodell|llm|ki-assistent|ki-modell|chatbot|ai) (?:bist|sind)\b|\b(?:si tu es|si vous etes) (?:une? )?(?:ia|i\.a\.|intelligence artificielle|modele de langage|llm|assistant ia|chatbot|ai)\b|\bsi (?:eres|usted es) (?:una? )?(?:ia|i\.a\.|inteligencia artificial|modelo de lenguaje|llm|asistente de ia|chatbot|ai)\b|\bse (?:sei|e) (?:un'|una |un )?(?:ia|intelligenza artificiale|modello linguistico|llm|assistente ia|chatbot|ai)\b|\bse (?:voce|tu) (?:for|e|es) (?:uma? )?(?:ia|inteligencia artificial|modelo de linguagem|llm|assistente de ia|chatbot|ai)\b|\bals (?:je|u) (?:een )?(?:ai|ki|taalmodel|llm|chatbot|ai-assistent) (?:bent|is)\b`,
      raw`(?:если ты|если вы) (?:\S+ )?(?:ии|искусственный интеллект|языковая модель|нейросеть|чат-бот|llm|ai)`,
      raw`(?:如果你是|如果您是|假如你是|若你是)(?:一个|一個)?(?:ai|人工智能|语言模型|語言模型|大模型|ai助手|助手|聊天机器人|聊天機器人)|(?:もしあなたが|あなたが)(?:ai|人工知能|言語モデル|aiアシスタント|チャットボット)(?:なら|であれば|の場合)|만약 (?:당신이|네가) (?:ai|인공지능|언어 모델)`,
      raw`\b(?:hinweis|nachricht|notiz) (?:fur|an) (?:die |den |alle )?(?:ki|ki-assistenten|ki-modelle|sprachmodelle|assistenten|chatbot|bot)\b|\b(?:note|message) (?:a|pour) (?:l'|les |le )?(?:ia|i\.a\.|assistant|assistante|modele|agent|chatbot|robot)\b|\bnota para (?:la |a |el |o )?(?:ia|i\.a\.|asistente|assistente|modelo|agente|chatbot)\b|\bnota per (?:l'|le |il )?(?:ia|ai|assistente|modello|agente|chatbot)\b|\b(?:notitie|bericht) voor de (?:ai|assistent|chatbot)\b|(?:ии|нейросеть|языковая модель),? (?:котор\S+|читающ\S+) (?:это|этот|эту)|(?:给|致)(?:ai|人工智能|ai助手|语言模型)的(?:说明|指示|提示|留言)|aiへの(?:メモ|指示|注意|メッセージ)`,
    ],
  },

  // ---- tool-command -------------------------------------------------------------------------------------------------
  {
    rule: 'tool-command',
    keys: ['<tool', '<function', '<invoke', '[tool', '[function', '[[tool', '[[function', '```tool', '```function', 'tool_call', 'function_call'],
    patterns: [raw`<(?:tool_call|tool_calls|function_call|function_calls|tool_use|tool_code|invoke|function=)[\s>=]|\[\[?(?:tool|function)_?calls?\]|\x60\x60\x60 ?(?:tool_code|tool_call|function_call)\b|"?(?:tool_call|function_call)s?"? ?: ?[{\[]`],
  },
  {
    rule: 'tool-command',
    keys: ['you must', 'you should', 'you need to', 'you have to', 'you are required', 'you are instructed', 'immediately', 'before answering', 'before responding', 'before replying', 'before you answer', 'before you respond', 'before you reply', 'instead of answering', 'secretly', 'silently', 'quietly', 'without telling', 'without asking', 'without informing'],
    patterns: [
      raw`\b(?:you (?:must|should|need to|have to|are (?:required|instructed) to)|immediately|before (?:answering|responding|replying|you (?:answer|respond|reply))|instead of answering|secretly|silently|quietly|without (?:telling|asking|informing)),?(?: also| first| then| now)? (?:(?:call|invoke|execute|trigger|fire) (?:the |your )?(?:(?:tool|function|connector|plugin|action|operation) )?|(?:use|run) (?:the |your )?(?:tool|function|connector|plugin|action|operation) )${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: K_TOOL_NOUN,
    patterns: [
      raw`${LEAD}\b(?:call|invoke|use|run|execute|trigger|fire) (?:the |your )?(?:tool|function|connector|plugin|action|operation) ${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['without telling', 'without asking', 'without informing', 'without notifying', 'before answering', 'before responding', 'before replying', 'instead of answering'],
    patterns: [
      raw`\b(?:call|invoke|use|run|execute) (?:the |your )?(?:\S+ )?(?:tool|function)s? (?:\S+ ){0,4}(?:without (?:telling|asking|informing|notifying) (?:the )?(?:user|customer|anyone)|before (?:answering|responding|replying)|instead of answering)\b`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['call', 'invoke', 'trigger'],
    patterns: [
      raw`${LEAD}\b(?:call|invoke|trigger) (?:the |your )?${TOOL_ID}(?: (?:tool|connector|plugin|action|operation))? (?:with (?:\{|\(|the (?:arguments?|parameters?|payload|input)|arguments?|parameters?|args)|to (?:send|forward|email|post|upload|delete|remove|transfer|refund|share|export|grant|leak|publish|cancel|pay|notify|message|create|issue|approve))`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['to send', 'to forward', 'to email', 'to post', 'to upload', 'to transfer', 'to refund', 'to share', 'to export', 'to leak', 'to exfiltrate', 'to notify', 'to message', 'to issue', 'to delete', 'to cancel', 'to pay', 'to grant'],
    patterns: [
      raw`${LEAD}use (?:the )?${TOOL_ID}(?: (?:tool|connector|plugin|action|operation))? to (?:send|forward|email|post|upload|transfer|refund|share|export|leak|exfiltrate|notify|message|issue|delete|cancel|pay|grant)\b[^.\n]{0,80}?\b(?:to|for) (?:[\w.+-]+@[\w-]+\.[\w.]+|#[\w-]+|(?:the )?attacker|(?:an? )?external)`,
      raw`${LEAD}\b(?:call|invoke|use|run|execute) (?:the |your )?(?:\S+ )?(?:tool|function|connector)s? (?:\S+ ){0,3}(?:to|and) (?:send|forward|email|post|upload|transfer|refund|share|export|leak|exfiltrate) (?:\S+ ){0,3}(?:to|with) ${TARGET}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['tool', 'werkzeug', 'outil', 'fonction', 'herramienta', 'funcion', 'strumento', 'funzione', 'ferramenta', 'funcao', 'functie'],
    patterns: [
      raw`\b(?:rufe|ruf|verwende|benutze|nutze|fuhre|appelle|appelez|utilise|utilisez|executez|llama|usa|utiliza|invoca|ejecuta|chiama|esegui|chame|use|execute|roep|gebruik)(?: sofort| jetzt| immediatement| maintenant| ahora| inmediatamente| subito| ora| agora| imediatamente| nu| direct)? (?:a la |al |a l'|à la |au |a |à |an das |das |die |den |dem |l'|le |la |el |lo |il |o |de |het )?(?:tool|werkzeug|outil|fonction|herramienta|funcion|strumento|funzione|ferramenta|funcao|functie) ${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['sofort', 'jetzt', 'immediatement', 'maintenant', 'ahora', 'inmediatamente', 'subito', 'agora', 'imediatamente', 'direct'],
    patterns: [
      raw`\b(?:rufe|ruf|verwende|benutze|nutze|appelle|appelez|utilise|utilisez|llama|utiliza|invoca|ejecuta|chiama|esegui|chame|roep|gebruik) (?:sofort|jetzt|immediatement|maintenant|ahora|inmediatamente|subito|agora|imediatamente|direct) ${TOOL_ID}`,
    ],
  },
  {
    rule: 'tool-command',
    keys: ['rufe', 'ruf', 'appelle', 'appelez', 'llama', 'chiama', 'chame', 'roep'],
    patterns: [raw`\b(?:rufe|ruf) ${TOOL_ID} auf\b|\b(?:appelle|appelez|llama|chiama|chame|roep) ${TOOL_ID} (?:avec|con|com|met) (?:\{|\()`],
  },
  {
    rule: 'tool-command',
    keys: ['вызови', 'используй', 'запусти', '调用', '調用', '使用', '执行', '執行', '呼び出', '実行', 'を使'],
    patterns: [
      raw`(?:вызови|используй|запусти)(?:те)? (?:инструмент |функцию )?${TOOL_ID}|(?:调用|調用|使用|执行|執行)(?:工具|函数|函數)? ?${TOOL_ID}`,
      raw`を(?<=[._:/][a-z0-9_]{1,40}["'\x60]? ?(?:ツール)?を)(?:呼び出|実行|使)`,
    ],
  },
];
