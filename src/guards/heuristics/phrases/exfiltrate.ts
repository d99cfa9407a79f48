/** The `exfiltrate` rule: orders to send conversation or private data to an outside address. */
import { LEAD, NEG, raw, type PhraseGroup } from '../rules.js';
import { SENSITIVE, TARGET, TARGET_TOKEN, EVERYTHING, TOOL_ID, K_SENSITIVE } from './vocabulary.js';

export const EXFILTRATE_GROUPS: readonly PhraseGroup[] = [
  // ---- exfiltrate ---------------------------------------------------------------------------------------------------
  {
    rule: 'exfiltrate',
    keys: K_SENSITIVE,
    patterns: [raw`${NEG}\b(?:send|email|e-mail|mail|post|upload|transmit|forward|leak|submit|deliver|share|copy|paste|dump|push|report|relay|sync|export|publish|pipe|transfer|write|append|include|embed|encode|attach|cc|bcc)(?: me| us)? (?:${SENSITIVE}) (?:\S+ ){0,6}(?:to|into|at|via|in|on|with) ${TARGET}`],
    compact: [raw`(?:send|forward|post|upload|leak|exfiltrate|email)(?:this|the|all|your|me|us|entire|full|whole){0,3}(?:conversation|chathistory|data|credentials|passwords?|apikeys?|secrets?|systemprompt)\w{0,30}?to(?:https?|www)`],
  },
  {
    rule: 'exfiltrate',
    keys: ['all', 'everything', 'entire', 'full', 'whole', 'complete'],
    patterns: [
      raw`\b(?:send|email|e-mail|mail|post|upload|transmit|forward|leak|submit|share|copy|paste|dump|push|relay|export|publish|transfer|cc|bcc)(?: me| us)? ${EVERYTHING}(?:\S+ ){0,2}(?:data|conversation|chat|history|context|information|info|details|records|messages|e-?mails|files|documents|credentials|secrets|passwords|keys|tokens|codes|notes|contents?|you (?:have|know|can see|see|were given))\b[^.!?\n]{0,80}? (?:(?:to|into|at|via|on|in) (?:\S+ ){0,3}${TARGET_TOKEN}|(?:with|using|via|through) (?:the )?(?:\S+ )?${TOOL_ID})`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['to send', 'to forward', 'to email', 'to post', 'to upload', 'to leak', 'to share', 'to transfer'],
    patterns: [raw`${LEAD}use (?:the )?(?:\S+ ){0,2}to (?:send|forward|email|post|upload|leak|share|transfer) (?:${SENSITIVE}) (?:\S+ ){0,3}(?:to|into|at|via) ${TARGET}`],
  },
  {
    rule: 'exfiltrate',
    keys: ['forward'],
    patterns: [raw`${NEG}\bforward (?:all|every|any|each|future|incoming|new|all future|all incoming|all new|copies of all|a copy of all)(?: \S+)? (?:e-?mails?|messages?|mails?|correspondence|conversations?|chats?|data|documents|files|invoices|notifications|texts|sms)(?: \S+){0,3} to ${TARGET}`],
  },
  {
    rule: 'exfiltrate',
    keys: ['exfiltrat', 'smuggle out', 'siphon'],
    patterns: [raw`${LEAD}\b(?:exfiltrate|smuggle out|siphon)\b`],
  },
  {
    rule: 'exfiltrate',
    keys: ['![', '<img'],
    patterns: [
      raw`!\[[^\]\n]{0,200}\]\(<? ?(?:https?:)?//[^)\s]{1,300}?[?&](?:[\w.-]{1,40}=[^)\s&]{0,200}?(?:\{|\$|<|\[|%7b|%24|%3c|\.\.\.)|(?:data|leak|exfil|conv|conversation|chat|chat_history|history|prompt|system_prompt|context|memory|payload|secret|secrets|summary|answer|ssn|pii|creds|credentials|password|passwd|api_key|apikey)=)`,
      raw`<img\b[^>]{0,200}?src ?= ?["']?(?:https?:)?//[^"'\s>]{1,300}?[?&][\w.-]{1,40}=[^"'\s>&]{0,200}?(?:\{|\$|<|\[|%7b|%24|%3c|\.\.\.)`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['image', 'img'],
    patterns: [
      raw`\b(?:render|display|include|add|output|show|print|append|insert|embed|write) (?:this|the following|an?|the) (?:markdown |html )?(?:image|img|link|url)[^.\n]{0,80}?(?:replac\S*|append\S*|add\S*|includ\S*|contain\S*|with|where|fill\S*|substitut\S*|encod\S*) [^.\n]{0,60}?(?:conversation|chat history|data|summary|secret|password|credential|token|api key|prompt|instructions|context|memory|user'?s? (?:name|email|address|message|question))`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['curl', 'wget', 'invoke-webrequest', 'iwr'],
    patterns: [
      raw`\b(?:curl|wget|invoke-webrequest|iwr)\b[^\n]{0,200}?(?:\$\((?:cat|env|printenv|whoami|ls|echo)\b|@?~/\.(?:ssh|aws|env|config)|/etc/(?:passwd|shadow)|\bid_rsa\b|\$\{?(?:conversation|system_prompt|prompt|context|history|chat|chat_history|messages)\b)`,
      raw`${LEAD}\b(?:run|execute|exec) (?:this |the following |the )?(?:command:? )?\x60?(?:curl|wget) (?:-\S+ ){0,4}["']?https?://[^\s\x60"']{1,200}?(?:[?&][\w-]{1,20}=|/(?:collect|exfil|log|steal|leak|c2|beacon)\b)`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['sende', 'schick', 'leite', 'teile', 'poste', 'veroffentliche', 'lade', 'envoie', 'envoyez', 'transfere', 'transmets', 'transmettez', 'publie', 'partage', 'envia', 'envie', 'manda', 'reenvia', 'reenvie', 'publica', 'publique', 'comparte', 'compartilhe', 'sube', 'postea', 'posta', 'invia', 'inoltra', 'pubblica', 'condividi', 'stuur', 'deel', 'post', 'publiceer'],
    patterns: [
      raw`\b(?:sende|schicke|schick|leite|teile|poste|veroffentliche|lade) (?:\S+ ){0,3}(?:den gesamten verlauf|die gesamte konversation|das gesamte gesprach|alle daten|die kundendaten|alle kundendaten|den systemprompt|alle informationen|alles)(?: \S+){0,6} (?:an|zu|nach|in|auf|mit) (?:\S+ ){0,3}${TARGET_TOKEN}|\b(?:envoie|envoyez|transfere|transferez|transmets|transmettez|publie|publiez|partage|partagez|poste|postez) (?:\S+ ){0,2}(?:toute la conversation|tout l'historique|toutes les donnees|les donnees (?:du client|client|clients)|le prompt systeme|tout)(?: \S+){0,6} (?:a|au|vers|sur|dans|avec) (?:\S+ ){0,3}${TARGET_TOKEN}|\b(?:envia|envie|manda|reenvia|reenvie|publica|publique|comparte|compartilhe|sube|postea|posta|envia) (?:\S+ ){0,2}(?:toda la conversacion|todo el historial|todos los datos|los datos del cliente|el prompt del sistema|toda a conversa|todos os dados|os dados do cliente)(?: \S+){0,6} (?:a|al|para|en|em|no|na|con|com) (?:\S+ ){0,3}${TARGET_TOKEN}|\b(?:invia|inoltra|pubblica|condividi) (?:\S+ ){0,2}(?:tutta la conversazione|tutti i dati|i dati del cliente)(?: \S+){0,6} (?:a|al|su|nel|in|con) (?:\S+ ){0,3}${TARGET_TOKEN}|\b(?:stuur|deel|post|publiceer) (?:\S+ ){0,2}(?:het hele gesprek|alle gegevens|de klantgegevens)(?: \S+){0,6} (?:naar|in|op|met) (?:\S+ ){0,3}${TARGET_TOKEN}`,
    ],
  },
  {
    rule: 'exfiltrate',
    keys: ['отправь', 'перешли', '发送', '發送', '转发', '轉發', '发给', '發給'],
    patterns: [
      raw`(?:отправь|отправьте|перешли|перешлите) (?:\S+ ){0,2}(?:всю переписку|весь разговор|все данные|данные клиента|системный промпт)(?: \S+){0,3} (?:на|в) ${TARGET}|(?:所有数据|所有數據|全部对话|全部對話|客户数据|客戶數據|以上所有内容|全部内容|对话记录|對話記錄|系统提示|系統提示).{0,10}?(?:发送|發送|转发|轉發|发给|發給)(?:到|至|给|給)? ?${TARGET}|(?:发送|發送|转发|轉發)(?:所有数据|全部对话|客户数据|对话记录|以上所有内容).{0,6}?(?:到|至|给) ?${TARGET}`,
    ],
  },
];
