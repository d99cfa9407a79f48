import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { passesIbanCheck, passesLuhn } from '../../src/routing/checksums.js';
import { DetectorConfig, builtinDetectors, compileDetectors, detectConfidential, redactSecrets } from '../../src/routing/detectors.js';

/** Detector names that fire on `text`. */
const names = (text: string): string[] => detectConfidential(text).map((detection) => detection.detector);

// Fake credentials are assembled at run time so that no token-shaped literal sits in the repository.
const mixed = (length: number): string => 'a1B2c3D4e5F6g7H8i9J0'.repeat(5).slice(0, length);
const fake = {
  openai: `sk-proj-${mixed(40)}`,
  anthropic: `sk-ant-api03-${mixed(40)}`,
  awsKeyId: ['AKIA', 'IOSFODNN7EXAMPLE'].join(''),
  awsSessionKeyId: ['ASIA', 'Y34FZKBOKMUTVV7A'].join(''),
  awsSecret: ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCYEXAMPLEKEY'].join(''),
  github: `ghp_${mixed(36)}`,
  githubPat: `github_pat_${mixed(22)}_${mixed(59)}`,
  slack: ['xoxb', '123456789012', '1234567890123', mixed(24)].join('-'),
  google: `AIza${mixed(35)}`,
  jwt: ['eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9', 'eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ', 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'].join('.'),
  pem: ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn', '-----END RSA PRIVATE KEY-----'].join('\n'),
};

describe('built-in detectors', () => {
  it.each([
    ['email', 'write to jane.doe+work@mail.example.co.uk today', 'email'],
    ['international phone', 'call +44 20 7946 0958 now', 'phone'],
    ['US phone', 'call (415) 555-2671 or 415-555-2671', 'phone'],
    ['national phone', 'Tel. 030 1234 5678', 'phone'],
    ['card with spaces', 'card 4111 1111 1111 1111 exp 12/27', 'payment-card'],
    ['card with dashes', 'card 5500-0000-0000-0004', 'payment-card'],
    ['amex', 'amex 3782 822463 10005', 'payment-card'],
    ['compact card', 'pan=4012888888881881', 'payment-card'],
    ['iban', 'IBAN GB82 WEST 1234 5698 7654 32', 'iban'],
    ['compact iban', 'to DE89370400440532013000 please', 'iban'],
    ['openai key', `OPENAI=${fake.openai}`, 'openai-api-key'],
    ['anthropic key', `key ${fake.anthropic}`, 'anthropic-api-key'],
    ['aws access key id', `id ${fake.awsKeyId}`, 'aws-access-key-id'],
    ['aws session key id', `id ${fake.awsSessionKeyId}`, 'aws-access-key-id'],
    ['aws secret near a label', `aws_secret_access_key = ${fake.awsSecret}`, 'aws-secret-access-key'],
    ['aws secret in JSON', `{"AWS_SECRET_ACCESS_KEY": "${fake.awsSecret}"}`, 'aws-secret-access-key'],
    ['an aws-style secret without a label', `blob ${fake.awsSecret} end`, 'aws-secret-like'],
    ['github token', `token ${fake.github}`, 'github-token'],
    ['github fine-grained token', fake.githubPat, 'github-token'],
    ['slack token', fake.slack, 'slack-token'],
    ['google key', `key=${fake.google}`, 'google-api-key'],
    ['private key block', `here:\n${fake.pem}\n`, 'private-key'],
    ['jwt', `Authorization: Bearer ${fake.jwt}`, 'jwt'],
    ['password assignment', 'DB_PASSWORD=hunter22!', 'secret-assignment'],
    ['api_key assignment', 'api_key: "9f8e7d6c5b4a"', 'secret-assignment'],
  ])('finds %s', (_label, text, detector) => {
    expect(names(text)).toContain(detector);
  });

  it.each([
    ['years and short numbers', 'In 2024 we served 1500 users in 12 cities; see page 42.'],
    ['dates and times', 'Due 2024-01-15T10:30:00Z, or 01/02/2024, or 15.01.2024.'],
    ['version strings and IPs', 'node 20.20.0 on 192.168.1.10 port 8080'],
    ['a Luhn-failing card number', 'card 4111 1111 1111 1112'],
    ['an epoch timestamp', 'at 1700000000000 ms'],
    ['a bad IBAN check', 'IBAN GB82 WEST 1234 5698 7654 33'],
    ['a short sk- word', 'use sk-learn for this'],
    ['placeholder passwords', 'password: string; api_key=${OPENAI_API_KEY}; secret=<your secret>'],
    ['an at sign without a domain', 'ping @alice or root@localhost'],
  ])('ignores %s', (_label, text) => {
    expect(detectConfidential(text)).toEqual([]);
  });

  it('counts matches per detector and never returns the matched text', () => {
    const found = detectConfidential('a@example.com, b@example.org and +1 415 555 2671');
    expect(found).toEqual([
      { detector: 'email', count: 2 },
      { detector: 'phone', count: 1 },
    ]);
    expect(JSON.stringify(found)).not.toContain('example');
  });

  it('does not share regex state between calls', () => {
    const text = `${fake.awsKeyId} ${fake.awsKeyId}`;
    expect(detectConfidential(text)).toEqual(detectConfidential(text));
    expect(redactSecrets(text)).toBe(redactSecrets(text));
  });

  it('every built-in detector has a unique name and a global pattern', () => {
    expect(new Set(builtinDetectors.map((detector) => detector.name)).size).toBe(builtinDetectors.length);
    expect(builtinDetectors.every((detector) => detector.pattern.global)).toBe(true);
  });
});

describe('checksums', () => {
  it('Luhn', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(passesLuhn('41x1')).toBe(false);
  });
  it('IBAN mod-97', () => {
    expect(passesIbanCheck('GB82WEST12345698765432')).toBe(true);
    expect(passesIbanCheck('FR1420041010050500013M02606')).toBe(true);
    expect(passesIbanCheck('GB82WEST12345698765433')).toBe(false);
    expect(passesIbanCheck('GB82')).toBe(false);
  });
});

describe('redactSecrets', () => {
  it('replaces credentials with a named marker and leaves personal data alone', () => {
    const text = [
      `key ${fake.openai}`,
      `aws_secret_access_key=${fake.awsSecret}`,
      `id ${fake.awsKeyId}`,
      'password=hunter22!',
      fake.pem,
      'mail jane@example.com',
    ].join('\n');
    const redacted = redactSecrets(text);
    expect(redacted).toContain('key [REDACTED:openai-api-key]');
    expect(redacted).toContain('aws_secret_access_key=[REDACTED:aws-secret-access-key]');
    expect(redacted).toContain('id [REDACTED:aws-access-key-id]');
    expect(redacted).toContain('password=[REDACTED:secret-assignment]');
    expect(redacted).toContain('[REDACTED:private-key]');
    expect(redacted).toContain('jane@example.com');
    for (const secret of [fake.openai, fake.awsSecret, fake.awsKeyId, 'hunter22', 'MIIEpAIBAAKCAQEA']) {
      expect(redacted).not.toContain(secret);
    }
    // Nothing credential-like is left for a second pass to find.
    expect(detectConfidential(redacted).map((detection) => detection.detector)).toEqual(['email']);
  });

  it('names the specific detector when a generic assignment holds a known key', () => {
    expect(redactSecrets(`OPENAI_API_KEY=${fake.openai}`)).toBe('OPENAI_API_KEY=[REDACTED:openai-api-key]');
  });

  it('leaves text without credentials unchanged', () => {
    const text = 'Plain notes: call +44 20 7946 0958, card 4111 1111 1111 1111.';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('config-added detectors', () => {
  it('validates patterns at load and names the bad one', () => {
    const bad = DetectorConfig.safeParse({ name: 'project-code', pattern: 'PRJ-(\\d+' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/detector "project-code": invalid regular expression \/PRJ-\(\\d\+\//);
    expect(DetectorConfig.safeParse({ name: 'empty', pattern: 'a*' }).error?.issues[0]?.message).toMatch(/matches empty text/);
    expect(DetectorConfig.safeParse({ name: 'x', pattern: 'x', flags: 'gy' }).success).toBe(false);
    expect(DetectorConfig.safeParse({ name: 'x', pattern: 'x', extra: 1 }).success).toBe(false);
  });

  it('extends the built-ins, detects and redacts', () => {
    const config = DetectorConfig.parse({ name: 'project-code', pattern: 'prj-\\d{4}', flags: 'i' });
    expect(config.kind).toBe('credential');
    const detectors = compileDetectors([config, DetectorConfig.parse({ name: 'employee-id', pattern: 'EMP\\d{6}', kind: 'personal' })]);
    expect(detectors).toHaveLength(builtinDetectors.length + 2);
    const text = 'Ship PRJ-1234 and prj-9999 for EMP123456';
    expect(detectConfidential(text, detectors)).toEqual([
      { detector: 'project-code', count: 2 },
      { detector: 'employee-id', count: 1 },
    ]);
    expect(redactSecrets(text, detectors)).toBe('Ship [REDACTED:project-code] and [REDACTED:project-code] for EMP123456');
  });

  it('compileDetectors throws a ConfigError for a bad pattern or a taken name', () => {
    const location = { file: 'baton.config.yaml', path: 'detectors' };
    expect(() => compileDetectors([{ name: 'bad', pattern: '[a-', kind: 'credential' }], builtinDetectors, location)).toThrow(ConfigError);
    expect(() => compileDetectors([{ name: 'bad', pattern: '[a-', kind: 'credential' }], builtinDetectors, location)).toThrow(
      /baton\.config\.yaml \(at detectors\[0\]\): detector "bad": invalid regular expression/,
    );
    expect(() => compileDetectors([{ name: 'email', pattern: 'x', kind: 'personal' }])).toThrow(/already in use/);
  });
});

describe('normalised forms', () => {
  it.each([
    ['a lower-case IBAN', 'pay to gb82 west 1234 5698 7654 32 today', 'iban'],
    ['a lower-case compact IBAN', 'iban de89370400440532013000', 'iban'],
    ['a full-width at sign', 'write to jane.doe＠example.com', 'email'],
    ['a zero-width space in an e-mail', 'write to jane.doe@exam\u200Bple.com', 'email'],
    ['a zero-width joiner before the at sign', 'write to jane.doe\u200D@example.com', 'email'],
    ['full-width digits in a card number', 'card ４１１１ １１１１ １１１１ １１１１', 'payment-card'],
    ['a soft hyphen inside a phone number', 'call +44 20 79\u00AD46 0958', 'phone'],
  ])('finds %s', (_label, text, detector) => {
    expect(names(text)).toContain(detector);
  });

  it('redacts a credential split by invisible characters or written in full-width letters, and only it', () => {
    const split = `${fake.openai.slice(0, 12)}\u200B${fake.openai.slice(12)}`;
    expect(redactSecrets(`key ${split} end`)).toBe('key [REDACTED:openai-api-key] end');
    const wide = 'ｐａｓｓｗｏｒｄ＝ｈｕｎｔｅｒ２２';
    const redacted = redactSecrets(`héllo ${wide} wörld`);
    expect(redacted).toBe('héllo ｐａｓｓｗｏｒｄ＝[REDACTED:secret-assignment] wörld');
  });

  it('keeps text without credentials exactly as it was, non-ASCII included', () => {
    const text = 'Ｆｕｌｌ-width words, ﬁ ligatures and a zero\u200Bwidth space stay as written.';
    expect(redactSecrets(text)).toBe(text);
  });

  it('finds secrets whose quotes are escaped, as in text that holds JSON', () => {
    expect(redactSecrets(String.raw`{"text":"uses password=\"Wh1sperQuiet\" here"}`)).toBe(String.raw`{"text":"uses password=\"[REDACTED:secret-assignment]\" here"}`);
    expect(redactSecrets(String.raw`\"api_key\": \"9f8e7d6c5b4a3210\"`)).toContain('[REDACTED:secret-assignment]');
  });

  it('finds credentials in URLs: user-info passwords and secret query parameters', () => {
    expect(redactSecrets('https://admin:Pa55w0rdXyz@db.example.com/x')).toBe('https://admin:[REDACTED:url-credential]@db.example.com/x');
    expect(redactSecrets('/api/runs?limit=5&access_token=abcdef123456&sig=zz9988aa')).toBe('/api/runs?limit=5&access_token=[REDACTED:url-query-secret]&sig=[REDACTED:url-query-secret]');
    expect(redactSecrets('/api/runs?limit=5&status=approved')).toBe('/api/runs?limit=5&status=approved');
  });
});

describe('invisible characters of every kind', () => {
  it.each([
    ['a combining grapheme joiner', '\u034F'],
    ['a variation selector', '\uFE0F'],
    ['a tag character', '\u{E0041}'],
    ['a Hangul filler', '\u3164'],
    ['a word joiner', '\u2060'],
    ['a right-to-left mark', '\u200F'],
  ])('finds an e-mail address split by %s', (_label, invisible) => {
    expect(names(`Email alice${invisible}@example.com about it`)).toContain('email');
    expect(names(`Email alice@exam${invisible}ple.com about it`)).toContain('email');
  });
});

describe('credential shapes beyond the provider keys', () => {
  it.each([
    ['a prefixed name', 'dbPassword=CamelPw12345', 'CamelPw12345'],
    ['a prefixed name with a colon', 'adminPassword: Adm1nSecret', 'Adm1nSecret'],
    ['an upper-case env name', 'POSTGRES_PASSWORD=Pg5ecretValue', 'Pg5ecretValue'],
    ['a dotted property', 'spring.datasource.password=Spr1ngPw', 'Spr1ngPw'],
    ['a quoted value with spaces', 'password = "correct horse battery staple"', 'correct horse battery staple'],
    ['a single-quoted value', "secret: 'single quoted s3cret'", 'single quoted s3cret'],
    ['a short value', 'pwd=abc12', 'abc12'],
    ['a value with a comma inside', 'password=p@ss,w0rd!x', 'p@ss,w0rd!x'],
    ['a Ruby hash', ':password => "RubyPw123"', 'RubyPw123'],
    ['a Go assignment', 'password := "GoPw12345"', 'GoPw12345'],
    ['XML', '<password>XmlPw123</password>', 'XmlPw123'],
    ['a passphrase', 'passphrase=Long-phrase9', 'Long-phrase9'],
    ['a bare token', 'token=tkn_8f7e6d5c4b3a', 'tkn_8f7e6d5c4b3a'],
    ['an account key', 'AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA==', 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA=='],
    ['an authorization header', 'Authorization: Bearer BearerTok3nAbcdef123456', 'BearerTok3nAbcdef123456'],
    ['basic auth', 'authorization: Basic dXNlcjpwYXNzd29yZDEyMw==', 'dXNlcjpwYXNzd29yZDEyMw=='],
    ['a bearer token in prose', 'send it with bearer abcDEF1234567890xyz', 'abcDEF1234567890xyz'],
    ['a URL with an empty user', 'redis://:R3disPassw0rd@cache:6379', 'R3disPassw0rd'],
    ['a private token parameter', 'https://gitlab.example.com/api?private_token=GlTok3nValue99', 'GlTok3nValue99'],
    ['an AWS signature parameter', 'https://b.s3.amazonaws.com/k?X-Amz-Signature=abcdef0123456789', 'abcdef0123456789'],
    ['a Slack webhook', 'https://hooks.slack.com/services/T00000000/B00000000/SlackHookXXXXXXXXXXXXXXXX', 'SlackHookXXXXXXXXXXXXXXXX'],
    ['a Discord webhook', 'https://discord.com/api/webhooks/123456789012345678/DiscordHookToken_abcdefghij', 'DiscordHookToken_abcdefghij'],
    ['an OpenAI project key without digits', `sk-proj-${'abcdefghij'.repeat(4)}`, 'abcdefghij'.repeat(4)],
    ['a password holding @ in a URL', 'postgres://admin:p@ssw0rdQ7x@db.example.com/app', 'ssw0rdQ7x'],
    ['a password holding / and # in a URL', 'postgres://svc:Zq9/Wk#3Lm@db.example.com:5432/app', 'Wk#3Lm'],
    ['an escaped quote inside a JSON value', '{"password": "Qu0te\\"Tail99x"}', 'Tail99x'],
    ['a _PASS name', 'SMTP_PASS=smtpHunter2', 'smtpHunter2'],
    ['a secret key base', 'SECRET_KEY_BASE=9f8e7d6c5b4a39f8e7d6', '9f8e7d6c5b4a39f8e7d6'],
    ['an app key', 'APP_KEY=base64:Zm9vYmFyYmF6cXV4', 'Zm9vYmFyYmF6cXV4'],
    ['a subscription key header', 'Ocp-Apim-Subscription-Key: 0123abcd4567ef890123abcd4567ef89', '0123abcd4567ef890123abcd4567ef89'],
    ['a cookie header', 'Cookie: session=s3ss10nValue; theme=dark', 's3ss10nValue'],
    ['a later cookie on the line', 'Cookie: theme=dark; session=s3ss10nValue; lang=en', 's3ss10nValue'],
    ['a password set before a command', 'MYSQL_PWD=secretpass mysql -u root', 'secretpass'],
    ['an env value before a command', 'DB_PASSWORD=changeme npm start', 'changeme'],
    ['a set-cookie header', 'Set-Cookie: SESSIONID=abcDEF123456; Path=/; HttpOnly', 'abcDEF123456'],
    ['a cookie in a sentence, keeping the sentence', 'After login the server answers with Set-Cookie: acme_session=abc123; HttpOnly and the browser sends it back', 'abc123'],
    ['a command-line password', 'mysql --password=CliPw9876 -h db', 'CliPw9876'],
    ['a command-line password after a space', 'psql --password CliPw5432', 'CliPw5432'],
    ['curl user and password', 'curl -u admin:CurlPw123 https://x', 'CurlPw123'],
    ['a .netrc line', 'machine api.example.com login bob password NetRcPw99', 'NetRcPw99'],
    ['a .netrc entry over several lines', 'machine api.example.com\n  login bob\n  password NetRcPw98', 'NetRcPw98'],
    ['a DigitalOcean token', `dop_v1_${'0123456789abcdef'.repeat(4)}`, '0123456789abcdef'.repeat(4)],
    ['a GitHub token glued to a word', `xxxghp_${mixed(36)}`, mixed(36)],
    ['a PGP private key block', '-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBGPgpKey\n-----END PGP PRIVATE KEY BLOCK-----', 'lQOYBGPgpKey'],
    ['a GitLab token', `glpat-${mixed(20)}`, mixed(20)],
    ['a Stripe key', `sk_live_${mixed(24)}`, mixed(24)],
  ])('redacts %s', (_label, text, secret) => {
    const redacted = redactSecrets(`before ${text} after`);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('[REDACTED:');
    expect(redacted.startsWith('before ')).toBe(true);
  });

  it.each([
    ['token counts', '"maxTokens": 4096, "token": 12345, max_tokens=512'],
    ['prose about passwords', 'Choose a password that is long; the password policy says so.'],
    ['placeholders', 'password=${DB_PASSWORD} api_key: <your key> secret=xxxx token: null'],
    ['a bearer of news', 'the bearer of this letter'],
    ['a header described in prose', 'send the header Authorization: Bearer <token>, or Authorization: Basic <base64>'],
    ['an ordinary URL', 'https://example.com/search?q=lighthouse&page=2'],
    ['hashes and base64 blobs', `commit 0123456789abcdef0123456789abcdef01234567 image ${'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='}`],
    ['a URL with a port and an @ in its path', 'https://example.com:8080/users/@alice and mailto:someone'],
    ['a line break after a secret name', 'Overall goal: password=\n\nQuestion to answer: what?'],
    ['docker and ps user flags', 'docker run -u 1000:1000 -p 8080:80 img; ps -u root:wheel'],
    ['a docker build secret spec', 'docker build --secret id=npmrc,src=.npmrc .'],
    ['prose about cookies', 'Set-Cookie: SameSite=Lax plus the HttpOnly flag; Set-Cookie: <name>=<value>'],
    ['prose about logins', 'After the login user password check succeeds, the session starts.'],
    ['code that computes a secret', 'password = getpass.getpass()\nself.password = password\nuser.password = hash(raw)\ntoken = jwt.encode(payload, key)\nconst password = await prompt("Password: ")'],
    ['prose after a secret name', 'password: must be at least 12 characters. api_key: your API key from the console. client_secret: issued by the IdP'],
    ['an authorization decision', 'authorization=granted and ?key=value'],
    ['help text naming a value', 'How do I pass --token TOKEN to the API? -p, --password PASSWORD   database password'],
    ['an error message quoted', "What does the error 'token: revoked' mean?"],
    ['type annotations and object literals', 'def login(username: str, password: str) -> Token:\nconst user = { password: hash, token: jwt }'],
    ['a path of words', 'The route Users/Alice/Documents/Projects/Acme2026/x1 is local.'],
    ['encoded links in documentation', 'https://stackoverflow.com/search?q=docker%20run%20-u%201000%3A1000 https://example.com/docs/login%20user%20password%20reset'],
  ])('leaves %s alone', (_label, text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('never redacts a marker again, however often text passes through', () => {
    let text = 'https://u:pw12345@h.example/ and password=hunter22';
    for (let pass = 0; pass < 5; pass += 1) text = redactSecrets(text);
    expect(text).toBe('https://u:[REDACTED:url-credential]@h.example/ and password=[REDACTED:secret-assignment]');
  });
});

describe('personal data in other spellings', () => {
  it.each([
    ['a percent-encoded at sign', 'mail john%40example.com now', 'email'],
    ['a mailto link, encoded', 'mailto:john%40example.com', 'email'],
    ['an internationalised address', 'write to jürgen@müller.de', 'email'],
    ['an IBAN with dashes', 'DE89-3704-0044-0532-0130-00', 'iban'],
    ['an IBAN with dots', 'DE89.3704.0044.0532.0130.00', 'iban'],
    ['a card with dots', 'card 4111.1111.1111.1111', 'payment-card'],
    ['a card with slashes', 'card 4111/1111/1111/1111', 'payment-card'],
    ['a card with double spaces', 'card 4111  1111  1111  1111', 'payment-card'],
    ['an international number with 00', 'call 0049 151 23456789', 'phone'],
    ['Arabic-Indic digits', 'call +٤٤ ٢٠ ٧٩٤٦ ٠٩٥٨', 'phone'],
    ['an escaped at sign', 'mail john\\u0040example.com', 'email'],
  ])('finds %s', (_label, text, detector) => {
    expect(names(text)).toContain(detector);
  });
});

describe('matches that already hold a marker', () => {
  it('keep the sentence around a cookie header', () => {
    expect(redactSecrets('After login the server answers with Set-Cookie: acme_session=abc123; HttpOnly and the browser sends it back')).toBe(
      'After login the server answers with Set-Cookie: acme_session=[REDACTED:cookie-header]; HttpOnly and the browser sends it back',
    );
  });

  it('still redact what stands between the markers', () => {
    const redacted = redactSecrets(`Cookie: a=${fake.jwt}; session=s3cr3tValue1234567`);
    expect(redacted).not.toContain('s3cr3tValue1234567');
    expect(redacted).toContain('[REDACTED:jwt]');
    expect(redactSecrets(redacted)).toBe(redacted);
  });

  it('read mathematical digits by their value', () => {
    const doubleStruck = [...'4111111111111111'].map((digit) => String.fromCodePoint(0x1d7d8 + Number(digit))).join('');
    expect(names(`card ${doubleStruck}`)).toContain('payment-card');
  });
});


describe('escaped quotes, repeated headers and markers inside URLs', () => {
  it.each([
    ['an escaped quote inside JSON inside text', String.raw`{"prompt": "{\"api_key\": \"Js\\\"sxPctQTvSEA1 x\"}"}`, String.raw`sxPctQTvSEA1`],
    ['JSON escaped three times', String.raw`\\\"DB_PASSWORD\\\": \\\"Tr1pleEsc4ped\\\"`, 'Tr1pleEsc4ped'],
    ['a second cookie header on one line', 'Cookie: theme=dark; sessionid=Abc123Def456; lang=en and Set-Cookie: __Host-sid=S3condHeaderValue; Path=/', 'S3condHeaderValue'],
    ['a cookie header written as JSON', '{"Cookie": "sessionid=JsonCook1eValue"}', 'JsonCook1eValue'],
    ['a cookie header in a Python dict', "{'Set-Cookie': 'sid=DictCook1eValue; Path=/'}", 'DictCook1eValue'],
    ['a curl cookie flag', 'curl -b "sessionid=CurlCook1eValue" https://x', 'CurlCook1eValue'],
    ['a cookie header as JSON inside text', String.raw`{"v":"{\"Cookie\": \"sessionid=Ck9aZ81kQmP02xYt55\"}"}`, 'Ck9aZ81kQmP02xYt55'],
    ['a curl cookie flag inside JSON', String.raw`{"v":"curl -b \"sessionid=Ck9aZ81kQmP02xYt59\" https://x"}`, 'Ck9aZ81kQmP02xYt59'],
    ['a mysql password flag', 'mysql -u root -pMyS3cretPw db', 'MyS3cretPw'],
  ])('redacts %s', (_label, text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it('keeps the marker of a token used as the user of a URL whole', () => {
    const redacted = redactSecrets(`git clone https://ghp_${mixed(36)}@github.com/acme/app.git`);
    expect(redacted).toBe('git clone https://[REDACTED:github-token]@github.com/acme/app.git');
  });
});
