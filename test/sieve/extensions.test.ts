/**
 * Extensions: imap4flags (RFC 5232), variables (RFC 5229), relational (RFC 5231), subaddress (RFC 5233),
 * mailbox (RFC 5490), body (RFC 5173), encoded-character (RFC 5228 section 2.4.2.4), date and index
 * (RFC 5260), duplicate (RFC 7352), include (RFC 6609). Scripts are the RFCs' examples where they give one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { compileSieve, runSieve, SieveRuntimeError } from '../../src/sieve/index.js';
import { actionsOf, brief, fakeEnv, message, run } from './support.js';

test('imap4flags: RFC 5232 section 7 example', async () => {
  const script = `require ["imap4flags", "fileinto"];
if header :contains "from" "boss@frobnitzm.example.edu" {
  setflag "flagvar" "\\\\Flagged";
  fileinto :flags "\\\\Flagged" "INBOX.From Boss";
}
if header :contains "Subject" "Important" { addflag "\\\\Flagged"; }
if header :contains "Subject" "Seen" { addflag ["\\\\Seen", "\\\\Answered"]; removeflag "\\\\Answered"; }
keep;`;
  // The two-argument setflag needs variables: compile error.
  assert.throws(() => compileSieve(script, { outgoing: true }), /setflag with a variable name needs require "variables"/);
  const ok = script.replace('"fileinto"]', '"fileinto", "variables"]');
  assert.deepEqual(await actionsOf(ok, message(['From: boss@frobnitzm.example.edu', 'Subject: Important, Seen'])),
    ['fileinto:INBOX.From Boss[\\Flagged]', 'keep[\\Flagged \\Seen]']);
  assert.deepEqual(await actionsOf('require "imap4flags"; addflag "a b"; addflag "B c"; removeflag "A"; if hasflag :is "c" { keep; }'), ['keep[b c]']);
  assert.deepEqual(await actionsOf('require ["imap4flags", "relational", "comparator-i;ascii-numeric"]; setflag "x y z"; if hasflag :count "eq" :comparator "i;ascii-numeric" "3" { discard; }'), ['discard']);
  assert.deepEqual(await actionsOf('require ["imap4flags", "variables"]; set "v" "\\\\Seen"; if hasflag :contains "v" "seen" { keep :flags ["$Work", "$work"]; }'), ['keep[$Work]']);
});

test('variables: set, modifiers, expansion, match variables (RFC 5229)', async (t) => {
  const m = message(['From: coyote@desert.example.org', 'Subject: [acme-users] [fwd] version 1.0 is out', 'List-Id: Sieve list <sieve@ietf.example>']);
  const cases: Array<[string, string, string[]]> = [
    ['section 4 modifiers', `set "a" "juMBlEd lETteRS"; set :length "b" "\${a}"; set :lower "c" "\${a}"; set :upperfirst "d" "\${a}"; set :upperfirst :lower "e" "\${a}"; set :quotewildcard "f" "a*b?c\\\\d";
      fileinto "\${b}|\${c}|\${d}|\${e}|\${f}";`, ['fileinto:15|jumbled letters|JuMBlEd lETteRS|Jumbled letters|a\\*b\\?c\\\\d']],
    ['section 3 examples', 'set "company" "ACME"; fileinto "${company}|${President, ${Company} Inc.}|&%${}!|${doh!}|${unknown}|${company:x}";', ['fileinto:ACME|${President, ACME Inc.}|&%${}!|${doh!}||${company:x}']],
    ['match variables from :matches (section 3.2)', 'if header :matches "List-ID" "*<*@*" { fileinto "INBOX.lists.${2}"; stop; }', ['fileinto:INBOX.lists.sieve']],
    ['non-greedy wildcards', 'if header :matches "Subject" "[*] *" { fileinto "${1}/${2}/${0}"; }', ['fileinto:acme-users/[fwd] version 1.0 is out/[acme-users] [fwd] version 1.0 is out']],
    ['? captures one char and unknown index is empty', 'if address :matches "from" "?oyote@*.*" { fileinto "${1}-${2}-${3}-${9}"; }', ['fileinto:c-desert-example.org-']],
    ['failed match keeps the old values', 'if header :matches "Subject" "[*]*" { } if header :matches "Subject" "nope*" { } fileinto "${1}";', ['fileinto:acme-users']],
    ['string test', 'set "x" "abc"; if string :is "${x}" "abc" { if string :count "eq" :comparator "i;ascii-numeric" ["a", "", "b"] "2" { discard; } }', ['discard']],
    ['names are case-insensitive', 'set "Name" "v"; fileinto "${NAME}";', ['fileinto:v']],
  ];
  for (const [name, body, want] of cases) {
    await t.test(name, async () => assert.deepEqual(await actionsOf(`require ["variables", "fileinto", "relational", "comparator-i;ascii-numeric"]; ${body}`, m), want));
  }
});

test('relational: RFC 5231 section 6 examples', async () => {
  const m = message([
    'Received: from a', 'Received: from b', 'Received: from c', 'To: foo@example.com, baz@example.com', 'Cc: qux@example.com',
    'From: "Jane" <jane@example.org>', 'Subject: 12',
  ]);
  const head = 'require ["relational", "comparator-i;ascii-numeric", "fileinto"];';
  const ok = async (testSrc: string): Promise<boolean> => (await actionsOf(`${head} if ${testSrc} { discard; }`, m))[0] === 'discard';
  assert.equal(await ok('address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] ["3"]'), true);
  assert.equal(await ok('header :count "ge" :comparator "i;ascii-numeric" ["received"] ["3"]'), true);
  assert.equal(await ok('header :count "gt" :comparator "i;ascii-numeric" ["received"] ["3"]'), false);
  assert.equal(await ok('address :value "gt" :all :comparator "i;ascii-casemap" ["from"] ["M"]'), false);
  assert.equal(await ok('address :value "lt" :all :comparator "i;ascii-casemap" ["from"] ["M"]'), true);
  assert.equal(await ok('header :value "gt" :comparator "i;ascii-numeric" "subject" "9"'), true);
  assert.equal(await ok('header :value "ne" :comparator "i;ascii-numeric" "subject" "12"'), false);
});

test('subaddress: :user and :detail (RFC 5233 section 6)', async (t) => {
  const head = 'require ["subaddress", "envelope", "fileinto"];';
  const cases: Array<[string, string, string, string[]]> = [
    ['detail', 'ken+sieve@example.org', 'if envelope :detail "to" "sieve" { fileinto "sieve"; }', ['fileinto:sieve']],
    ['user', 'ken+sieve@example.org', 'if envelope :user "to" "ken" { fileinto "ken"; }', ['fileinto:ken']],
    ['empty detail', 'ken+@example.org', 'if envelope :detail "to" "" { fileinto "empty"; }', ['fileinto:empty']],
    ['no separator: :detail fails', 'ken@example.org', 'if envelope :detail :matches "to" "*" { fileinto "x"; }', ['keep']],
    ['no separator: :user is the local part', 'ken@example.org', 'if envelope :user "to" "ken" { fileinto "ken"; }', ['fileinto:ken']],
  ];
  for (const [name, to, body, want] of cases) {
    await t.test(name, async () => assert.deepEqual(await actionsOf(`${head} ${body}`, message(['Subject: x'], 'x\r\n', { to })), want));
  }
});

test('mailbox: mailboxexists and fileinto :create (RFC 5490 section 3)', async () => {
  const env = fakeEnv({ mailboxes: ['INBOX', 'Lists'] });
  const script = 'require ["mailbox", "fileinto"]; if mailboxexists ["Lists", "INBOX"] { fileinto :create "Lists/new"; } if mailboxexists "Nope" { discard; }';
  assert.deepEqual(await actionsOf(script, undefined, env), ['fileinto:Lists/new:create']);
  assert.deepEqual(env.asked, ['mailbox:Lists', 'mailbox:INBOX', 'mailbox:Nope']);
});

const MULTIPART = message([
  'From: a@b.example', 'Subject: parts', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="XX"',
], [
  'preamble', '--XX', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '',
  'Caf=E9 MAKE MONEY', '--XX', 'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '',
  Buffer.from('<p>html part</p>').toString('base64'), '--XX', 'Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', '',
  Buffer.from('binary secret').toString('base64'), '--XX--', '',
].join('\r\n'));

test('body: :raw, :content, :text with transfer and charset decoding (RFC 5173)', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['text decodes quoted-printable and latin1', 'body :contains "café make"', true],
    ['text includes text/html', 'body :text :contains "html part"', true],
    ['text excludes application', 'body :contains "secret"', false],
    ['content type list', 'body :content "application/octet-stream" :contains "binary secret"', true],
    ['content subtype', 'body :content "text/html" :contains "café"', false],
    ['content empty matches all', 'body :content "" :contains "secret"', true],
    ['raw is undecoded', 'body :raw :contains "Caf=E9"', true],
    ['raw does not decode', 'body :raw :contains "café"', false],
    ['RFC 5173 example: :content "text" :contains', 'body :content "text" :contains ["MAKE MONEY"]', true],
  ];
  for (const [name, src, want] of cases) {
    await t.test(name, async () => assert.deepEqual(await actionsOf(`require "body"; if ${src} { discard; }`, MULTIPART), want ? ['discard'] : ['keep']));
  }
});

test('encoded-character (RFC 5228 section 2.4.2.4)', async () => {
  assert.deepEqual(await actionsOf('require ["encoded-character", "fileinto"]; fileinto "${hex:40 41}${unicode:263a}${hex:zz}x${HEX: 42}";'), ['fileinto:@A☺${hex:zz}xB']);
  assert.deepEqual(await actionsOf('require "fileinto"; fileinto "${hex:40}";'), ['fileinto:${hex:40}']);
});

test('date and index (RFC 5260 examples)', async (t) => {
  const m = message([
    'Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)', 'Received: from x by y; Wed, 02 Apr 1997 23:00:00 +0200',
    'Received: from z by y; Thu, 03 Apr 1997 01:00:00 +0000', 'X-Dup: first', 'X-Dup: second', 'To: a@x.example, b@x.example', 'To: c@x.example',
  ]);
  const head = 'require ["date", "index", "relational", "variables", "fileinto"];';
  const cases: Array<[string, string, string[]]> = [
    ['date parts in :zone', 'if date :zone "+0000" "date" "date" "1997-04-01" { if date :zone "+0000" "date" "time" "17:06:31" { discard; } }', ['discard']],
    ['originalzone', 'if date :originalzone "date" "zone" "-0800" { if date :originalzone "date" "hour" "09" { discard; } }', ['discard']],
    ['default zone is the environment timeZone', 'if date "date" "iso8601" "1997-04-01T17:06:31Z" { discard; }', ['discard']],
    ['zone shift crosses the date', 'if date :zone "+0900" "date" "day" "02" { discard; }', ['discard']],
    ['julian, weekday, std11', 'if date :zone "+0000" "date" "julian" "50539" { if date :zone "+0000" "date" "weekday" "2" { if date :zone "-0800" "date" "std11" "Tue, 1 Apr 1997 09:06:31 -0800" { discard; } } }', ['discard']],
    ['received date after the last ;', 'if date :index 1 :zone "+0000" "received" "time" "21:00:00" { discard; }', ['discard']],
    [':index :last', 'if header :index 1 :last "x-dup" "second" { if header :index 2 "x-dup" "second" { discard; } }', ['discard']],
    [':index out of range', 'if header :index 3 :matches "x-dup" "*" { discard; }', ['keep']],
    ['address :index counts fields', 'if address :index 2 :is "to" "c@x.example" { discard; }', ['discard']],
    ['RFC 5260 section 5: currentdate sets variables', 'if currentdate :zone "+0000" :matches "date" "*" { set "d" "${1}"; } if currentdate :zone "+0100" :matches "time" "*" { fileinto "${d} ${1}"; }', ['fileinto:2026-03-03 11:20:30']],
    ['currentdate relational', 'if currentdate :zone "+0000" :value "ge" "date" "2026-01-01" { discard; }', ['discard']],
    ['no date header: false', 'if date "x-none" "year" "1997" { discard; }', ['keep']],
  ];
  for (const [name, body, want] of cases) {
    await t.test(name, async () => assert.deepEqual(await actionsOf(`${head} ${body}`, m), want));
  }
});

test('duplicate: default Message-ID, :header, :uniqueid, :handle, recording (RFC 7352)', async () => {
  const key = (s: string): string => createHash('sha256').update(s).digest('hex');
  const msgIdKey = key('\0header:message-id\0<m1@example.org>');
  const m = message(['Message-ID: <m1@example.org>', 'X-Event: e1']);
  const first = await run('require "duplicate"; if duplicate { discard; }', m, fakeEnv());
  assert.deepEqual(brief(first), ['keep']);
  assert.deepEqual(first.duplicates, [{ key: msgIdKey, seconds: 604800 }]);
  const again = await run('require "duplicate"; if duplicate { discard; }', m, fakeEnv({ seen: [msgIdKey] }));
  assert.deepEqual(brief(again), ['discard']);
  assert.deepEqual(again.duplicates, []);
  const last = await run('require "duplicate"; if duplicate :last :seconds 60 { discard; }', m, fakeEnv({ seen: [msgIdKey] }));
  assert.deepEqual(last.duplicates, [{ key: msgIdKey, seconds: 60 }]);
  const header = await run('require "duplicate"; if duplicate :handle "h" :header "x-event" { discard; }', m, fakeEnv());
  assert.deepEqual(header.duplicates, [{ key: key('h\0header:x-event\0e1'), seconds: 604800 }]);
  // RFC 7352 section 3.2 example: :uniqueid with a variable.
  const uid = await run('require ["duplicate", "variables"]; if header :matches "x-event" "*" { if duplicate :uniqueid "${0}" :seconds 1800 { discard; } }', m, fakeEnv({ seen: [key('\0uniqueid\0e1')] }));
  assert.deepEqual(brief(uid), ['discard']);
  const none = await run('require "duplicate"; if duplicate { discard; }', message(['Subject: no id']), fakeEnv());
  assert.deepEqual([brief(none), none.duplicates], [['keep'], []]);
});

test('include: personal/global, :once, :optional, return, global variables (RFC 6609)', async () => {
  // RFC 6609 section 3.5's example, simplified: a global variable set by an included script.
  const env = fakeEnv({ scripts: {
    'global:spam_tests': 'require ["variables", "include"]; global "test_mailbox"; set "test_mailbox" "spam-${global.who}"; return; set "test_mailbox" "never";',
    'personal:boxes': 'require ["fileinto", "include", "variables"]; global "test_mailbox"; fileinto "${test_mailbox}";',
    'personal:loop': 'require "include"; include "loop";',
    'personal:bad': 'keep',
  } });
  const main = `require ["include", "variables", "fileinto"];
global ["test_mailbox", "who"];
set "who" "me";
include :global "spam_tests";
include :once "boxes";
include :once "boxes";
include :optional "missing";
fileinto "\${test_mailbox}-main";`;
  const r = await run(main, undefined, env);
  assert.deepEqual(brief(r), ['fileinto:spam-me', 'fileinto:spam-me-main']);
  assert.deepEqual(env.asked, ['load:global:spam_tests', 'load:personal:boxes', 'load:personal:missing']);
  await assert.rejects(run('require "include"; include "missing";', undefined, env), new SieveRuntimeError('include: no personal script "missing"'));
  await assert.rejects(run('require "include"; include "loop";', undefined, env), new SieveRuntimeError('include loop: personal:loop -> personal:loop'));
  await assert.rejects(run('require "include"; include "bad";', undefined, env), new SieveRuntimeError('include personal:bad: line 1: expected ";" or "{" after keep, found end of script'));
  // Depth: a chain of distinct scripts deeper than maxIncludeDepth.
  const chain = fakeEnv({ scripts: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`personal:s${i}`, `require "include"; include "s${i + 1}";`])) });
  chain.scripts.set('personal:s8', 'discard;');
  await assert.rejects(runSieve(compileSieve('require "include"; include "s0";', { outgoing: true }), message(['Subject: x']), chain), new SieveRuntimeError('includes nested deeper than 5 at personal:s5'));
  assert.deepEqual(brief(await runSieve(compileSieve('require "include"; include "s0";', { outgoing: true }), message(['Subject: x']), chain, { limits: { maxIncludeDepth: 10 } })), ['discard']);
  // stop in an included script ends everything.
  const stopEnv = fakeEnv({ scripts: { 'personal:s': 'stop;' } });
  assert.deepEqual(await actionsOf('require "include"; include "s"; discard;', undefined, stopEnv), ['keep']);
});
