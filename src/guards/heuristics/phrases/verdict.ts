/**
 * The `approve-answer`, `dictate-answer` and `fake-source` rules: attempts to dictate the verdict, the answer or the
 * sources.
 */
import { LEAD, raw, type PhraseGroup } from '../rules.js';
import { VERDICT_OBJ, JUDGE, K_APPROVE } from './vocabulary.js';

export const VERDICT_GROUPS: readonly PhraseGroup[] = [
  // ---- approve-answer -----------------------------------------------------------------------------------------------
  {
    rule: 'approve-answer',
    keys: K_APPROVE,
    patterns: [
      raw`\b(?:approve|accept|pass|verify|validate|confirm|endorse|sign off on|green-?light|rubber-?stamp)(?<=\b${JUDGE}(?:s| agent| role| model| step)? (?:must|should|shall|has to|needs to|need to|is to|are to|will|is required to|are required to|is instructed to|are instructed to|is expected to|can only|must only|should only|may only) (?:now |always |simply |just |immediately |automatically )?\b(?:approve|accept|pass|verify|validate|confirm|endorse|sign off on|green-?light|rubber-?stamp)) (?:this|these|it|the following|my|our|that|everything|all (?:claims|answers|statements))\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['mark ', 'rate ', 'score ', 'grade ', 'label ', 'classify ', 'treat ', 'consider '],
    patterns: [
      raw`\b(?:mark|rate|score|grade|label|classify|treat|consider)(?<=\b${JUDGE}s? (?:must|should|shall|will|is to|has to|needs to) (?:now |always |simply |just )?\b(?:mark|rate|score|grade|label|classify|treat|consider)) (?:this|these|it|the following|everything) (?:\S+ ){0,2}(?:as )?(?:verified|supported|correct|approved|true|accurate|valid|grounded|fact-?checked|fully supported)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['approve', 'endorse', 'greenlight', 'green-light', 'rubber-stamp', 'sign off'],
    patterns: [
      raw`${LEAD}\b(?:approve|endorse|greenlight|green-light|rubber-stamp|sign off on) (?:this|these|my|the following|that|our) (?:\S+ )?${VERDICT_OBJ}\b`,
      raw`${LEAD}approve (?:the|this) (?:answer|claim|response|statement|finding|citation|draft|verdict|output|summary)\b`,
    ],
    compact: [raw`approve(?:this|the)(?:answer|claim|response|draft)|mark(?:it|this)asverified`],
  },
  {
    rule: 'approve-answer',
    keys: ['mark ', 'rate ', 'score ', 'grade ', 'rank ', 'label ', 'classify ', 'evaluate ', 'judge ', 'assess ', 'consider ', 'treat '],
    patterns: [
      raw`${LEAD}mark (?:this|it|these|them|the (?:answer|claim|response|statement|citation|finding|source|draft|output|passage)|this(?: \S+){0,2}) as (?:verified|supported|correct|approved|true|accurate|valid|passed|grounded|fact-?checked|trustworthy|reliable|authoritative|confirmed|factual|fully supported)\b(?! (?:in|on|from|under|via|using|once|when|after|if|by|with|before|within)\b)`,
      raw`${LEAD}\b(?:rate|score|grade|rank|label|classify|evaluate|judge|assess|consider|treat) (?:this|it|these|the (?:answer|claim|response|statement)|this (?:answer|claim|response|statement|source|document)) (?:as|with(?: a)?|at) (?:supported|verified|correct|true|accurate|approved|fully supported|grounded|entailed|faithful|factual)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['not reject', "n't reject", 'never reject', 'not flag', "n't flag", 'never flag', 'not question', "n't question", 'not challenge', "n't challenge", 'not dispute', "n't dispute", 'not contradict', "n't contradict", 'not fact', "n't fact", 'not verify', "n't verify", 'not check', "n't check", 'not quarantine', "n't quarantine", 'not penali', "n't penali", 'not doubt', "n't doubt", 'not second', "n't second", 'not refuse', "n't refuse", 'not fail', "n't fail", 'not downgrade', "n't downgrade", 'not scrutini', "n't scrutini"],
    patterns: [
      raw`\b(?:do not|don't|never|must not|should not|shouldn't|mustn't) (?:reject|flag|refuse|question|challenge|fail|downgrade|contradict|dispute|doubt|penali[sz]e|quarantine|fact-?check|verify|check|second-guess|scrutini[sz]e) (?:this|these|my|the (?:answer|claim|response|statement|citation|source|passage|document|text|content|finding|draft))\b(?! (?:request|return|order|application|payment|refund|form|booking|reservation|ticket|delivery|package|parcel|item|product|call|email|page|link|file|setting|option|box|field|step|certificate|signature)s?\b)`,
      raw`\b(?:do not|don't|never) (?:reject|flag|question|challenge|dispute|contradict|penali[sz]e|fact-?check|quarantine) it\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['fact-check', 'factcheck', 'evidence check', 'citation check', 'checker', 'verifier', 'grounding check', 'verification of'],
    patterns: [raw`${LEAD}\b(?:skip|bypass|disable|ignore|turn off) (?:the )?(?:fact-?check(?:ing|er)?|evidence check|citation check|checker|verifier|grounding check|verification of (?:this|these))\b`],
  },
  {
    rule: 'approve-answer',
    keys: ['verified', 'fact-checked', 'factchecked', 'approved', 'validated', 'confirmed', 'certified'],
    patterns: [
      raw`\b(?:this|the (?:above|following)) (?:answer|claim|statement|response|information|content|document|text|passage) (?:is|has been|was|has already been|is already|was already) (?:already |pre-?)?(?:verified|fact-?checked|approved|validated|confirmed|certified)(?: by [^.\n]{1,40})?[,.;:]? ?(?:so |therefore |thus )?(?:you |the checker |the verifier )?(?:do not|don't|does not|doesn't|need not|no need to|must not|should not|can skip|may skip|skip)(?: need)?(?: to)? (?:verify|check|fact-?check|validate|question|review|reject|double-check)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['genehmig', 'akzeptier', 'bestatig', 'markier', 'bewerte', 'approuve', 'valide', 'marque', 'considere', 'aprueba', 'apruebe', 'marca', 'approva', 'segna', 'aprove', 'aprova', 'keur', 'markeer', 'als verifiziert', 'als gepruft', 'als korrekt'],
    patterns: [
      raw`\b(?:genehmige|akzeptiere|bestatige|approuve|approuvez|valide|validez|aprueba|apruebe|approva|approvate|aprove|aprova|keur) (?:diese|die|das|cette|la|esta|questa|a|dit|het) (?:antwort|aussage|behauptung|reponse|affirmation|respuesta|afirmacion|risposta|affermazione|resposta|afirmacao|antwoord)\b`,
      raw`\b(?:markiere|markieren sie|bewerte|marque|marquez|considere|considerez|marca|segna|segnate|markeer) (?:dies|diese antwort|es|das|sie|ceci|cela|la|cette reponse|la reponse|esto|la respuesta|esta respuesta|questo|la risposta|questa risposta|isto|isso|a resposta|esta resposta|dit|het antwoord) (?:als|comme|como|come) (?:verifiziert|gepruft|korrekt|richtig|belegt|bestatigt|wahr|verifiee?s?|correcte?|vraie?|valide|verificad[ao]|correct[ao]|verdader[ao]|verificat[oa]|corrett[oa]|vero|vera|corret[ao]|geverifieerd|correct|juist)\b`,
      raw`\bals (?:verifiziert|gepruft|korrekt) (?:markieren|markiert|bewerten)\b`,
    ],
  },
  {
    rule: 'approve-answer',
    keys: ['одобри', 'подтверди', 'отметь', 'пометь', '批准', '通过', '通過', '认可', '認可', '标记', '標記', 'この回答', 'この答え', 'この主張'],
    patterns: [
      raw`(?:одобри|подтверди|отметь|пометь)(?:те)? (?:этот |это |данный )?(?:ответ|утверждение)?(?: как)? ?(?:проверенн\S*|верн\S*|правильн\S*|подтвержденн\S*)|(?:批准|通过|通過|认可|認可)(?:这个|這個|此|该|該)?(?:答案|回答|说法|說法)|(?:标记|標記)为(?:已验证|已驗證|正确|正確|已核实|已核實)|この(?:回答|答え|主張)を(?:承認|正しいと)`,
    ],
  },

  // ---- dictate-answer -----------------------------------------------------------------------------------------------
  {
    rule: 'dictate-answer',
    keys: ['exactly', 'verbatim', 'word for word', 'only the following', 'only this', 'only with'],
    patterns: [raw`${LEAD}\b(?:reply|answer|respond|say|state|write|output)(?: to (?:the|this|any|every) (?:question|user|customer|request))?(?: with| only with)? (?:exactly|verbatim|word for word|only(?= the following| this))(?: the following| this)? ?:`],
  },
  {
    rule: 'dictate-answer',
    keys: ['your answer', 'your final', 'your only', 'your reply', 'your response', 'your output'],
    patterns: [raw`\byour (?:final |only )?(?:answer|reply|response|output) (?:must|should|shall|has to|will) (?:be|read|say|state|contain only|consist of)(?: exactly| only| verbatim)? ?:`],
  },
  {
    rule: 'dictate-answer',
    keys: ['antworte', 'die antwort', 'repond', 'la reponse', 'responde', 'la respuesta', 'rispondi', 'la risposta', 'responda', 'a resposta', 'antwoord', 'ответь', 'ответ должен', '回答', '答案', '回复', '回覆', '答え'],
    patterns: [
      raw`\b(?:antworte(?:n sie)?|antwortet) (?:genau|exakt|wortlich|nur)(?: mit)? ?:|\bdie antwort (?:muss|lautet|soll)(?: genau)? ?:|\brepond(?:s|ez)? (?:exactement|mot pour mot|uniquement)(?: par)? ?:|\bla reponse doit etre ?:|\bresponde(?:r)? (?:exactamente|literalmente|solo)(?: con)? ?:|\bla respuesta debe ser ?:|\brispondi (?:esattamente|testualmente|solo)(?: con)? ?:|\bla risposta deve essere ?:|\bresponda (?:exatamente|literalmente|apenas)(?: com)? ?:|\ba resposta deve ser ?:|\bantwoord (?:precies|letterlijk|alleen)(?: met)? ?:|(?:ответь|ответьте) (?:точно|дословно|только) ?:|ответ должен быть ?:`,
      raw`请?(?:准确地?|原样|逐字|只)(?:回答|回复|回覆):|(?:回答|答案|回复)(?:必须是|只能是):?|(?:次のように|そのまま)(?:答え|回答)(?:て|なさい|ろ)`,
    ],
  },

  // ---- fake-source --------------------------------------------------------------------------------------------------
  {
    rule: 'fake-source',
    keys: ['cite', 'reference', 'quote', 'attribute', 'credit', 'source'],
    patterns: [
      raw`${LEAD}\b(?:cite|reference|quote|attribute|credit|source) (?:this|these|the following|it|my|our|the above)(?: \S+){0,2} (?:as|to) (?:an? |the )?(?:\S+ ){0,2}(?:source|reference|authority|evidence|fact|official|authoritative|primary|trusted|reliable|peer-reviewed|verified|expert|study|research|wikipedia|government)\b`,
    ],
  },
  {
    rule: 'fake-source',
    keys: ['cite', 'reference', 'quote', 'link to', 'credit', 'attribute'],
    patterns: [raw`\b(?:cite|reference|quote|link to|credit|attribute (?:this|it) to)(?<=\b(?:always|only|must|should|be sure to|make sure to|remember to|you (?:must|should|need to|have to)) (?:also )?\b(?:cite|reference|quote|link to|credit|attribute (?:this|it) to)) (?:this|these|the following|our|my|https?://|www\.|[\w-]+\.(?:com|org|net|io|gov|edu|info|example)\b)`],
  },
  {
    rule: 'fake-source',
    keys: ['cite'],
    patterns: [raw`${LEAD}cite (?:this|the following|these) (?:source|sources|page|document|website|site|url|link|article|passage|text|reference|blog|post)(?: (?:in|for|as|when|whenever|with|at)\b(?! ?:)| ?(?:[.!]|$))`],
  },
  {
    rule: 'fake-source',
    keys: ['citation', 'footnote', 'source', 'reference'],
    patterns: [raw`${LEAD}add (?:a |an |the |this )?(?:citation|footnote|source|reference)s? (?:to|for|pointing to|from) (?:this (?:answer|response|claim|statement|summary|source|page|document|article|url)|the following|https?://|www\.|[\w-]+\.(?:com|org|net|io|gov|edu|example)\b|the (?:answer|response|reply|summary|claim)|your (?:answer|response|reply|summary)|every (?:answer|response|claim)|each (?:answer|response|claim))`],
  },
  {
    rule: 'fake-source',
    keys: ['coming from', 'originating from', 'being from', 'having come from', 'comes from', 'is from', 'as an official', 'as a verified', 'as an authoritative', 'as a peer-reviewed', 'attribute', 'ascribe', 'treat'],
    patterns: [
      raw`\bquote (?:this|it|the following|these)(?: \S+){0,2} as (?:coming|originating|being|having come) from\b`,
      raw`${LEAD}\b(?:attribute|ascribe) (?:this|it|these|the following)(?: \S+){0,2} to (?:an? |the )?(?:official|government|authoritative|reliable|trusted|peer-reviewed|reputable|expert|wikipedia|reuters|who|cdc|fda|nasa|\S+ (?:university|institute|journal|agency|ministry|department))\b`,
      raw`${LEAD}\b(?:present|report|state|describe|say|claim|tell the user) (?:that )?(?:this|it|these)(?: \S+){0,2} (?:as coming from|as an? (?:official|verified|authoritative|peer-reviewed)|comes from an? (?:official|authoritative|verified|peer-reviewed|reputable|trusted|government)|is from an? (?:official|authoritative|verified|peer-reviewed|reputable|trusted|government))\b`,
      raw`${LEAD}treat (?:this|the following|these)(?: \S+){0,2} as (?:an? |the )?(?:(?:authoritative|official|primary|only|trusted|verified|canonical|definitive|most reliable) (?:source|reference|evidence|truth)|ground truth)\b`,
    ],
  },
  {
    rule: 'fake-source',
    keys: ['zitier', 'nenne', 'cite', 'citez', 'cita', 'citeer', 'сошлись', 'ссылайся', 'ссылайтесь', 'цитируй', '引用', '援引', 'この情報源', 'このソース', 'このサイト', 'この記事'],
    patterns: [
      raw`\b(?:zitiere|zitieren sie|nenne) (?:diese|die folgende) (?:quelle|seite|webseite)(?: als)?\b|\b(?:cite|citez) (?:cette|la) (?:source|page)\b|\bcita (?:esta|la siguiente|questa) (?:fuente|pagina|fonte)\b|\bcite (?:esta|a seguinte) (?:fonte|pagina)\b|\bciteer (?:deze|de volgende) (?:bron|pagina)\b|(?:сошлись|ссылайся|ссылайтесь|цитируй) на (?:этот|данный|следующий) (?:источник|документ|сайт)|(?:引用|援引)(?:这个|這個|此|该|該|以下)(?:来源|來源|资料|資料|文档|文檔|网站|網站)|この(?:情報源|ソース|サイト|記事)を(?:引用|出典)`,
    ],
  },
];
