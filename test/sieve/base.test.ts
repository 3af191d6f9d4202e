/**
 * The base language (RFC 5228): the section 9 example, implicit keep (2.10.2), suppression of identical
 * actions (2.10.3), address/header/envelope/exists/size, comparators (RFC 4790) and match types (2.7.1),
 * limits, and real messages from the shared corpus.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileSieve, runSieve, SieveRuntimeError } from '../../src/sieve/index.js';
import { toCrlf } from '../../src/mime/crlf.js';
import { actionsOf, fakeEnv, message, NOW, run } from './support.js';

// RFC 5228 section 9, "Complete Example".
const RFC_EXAMPLE = `
# Example Sieve Filter
# Declare any optional features or extension used by the script
require ["fileinto"];

# Handle messages from known mailing lists
# Move messages from IETF filter discussion list to filter mailbox
if header :is "Sender" "owner-ietf-mta-filters@imc.org"
        {
        fileinto "filter";  # move to "filter" mailbox
        }
#
# Keep all messages to or from people in my company
#
elsif address :DOMAIN :is ["From", "To"] "example.com"
        {
        keep;               # keep in "In" mailbox
        }

#
# Try and catch unsolicited email.  If a message is not to me,
# or it contains a subject known to be spam, file it away.
#
elsif anyof (NOT address :all :contains
               ["To", "Cc", "Bcc"] "me@example.com",
             header :matches "subject"
               ["*make*money*fast*", "*university*dipl*mas*"])
        {
        fileinto "spam";   # move to "spam" mailbox
        }
else
        {
        # Move all other (non-company) mail to "personal"
        # mailbox.
        fileinto "personal";
        }
`;

test('RFC 5228 section 9 complete example', async (t) => {
  const cases: Array<[string, string[], string[]]> = [
    ['list mail', ['Sender: owner-ietf-mta-filters@imc.org', 'To: me@example.com'], ['fileinto:filter']],
    ['company mail', ['From: boss@example.com', 'To: someone@else.example'], ['keep']],
    ['not to me', ['From: a@b.example', 'To: other@else.example'], ['fileinto:spam']],
    ['spam subject', ['From: a@b.example', 'To: me@example.com.au', 'Subject: MAKE lots of MONEY FAST'], ['fileinto:spam']],
    ['personal', ['From: friend@b.example', 'Cc: Me <me@example.com>', 'Subject: lunch'], ['fileinto:personal']],
  ];
  for (const [name, headers, want] of cases) {
    await t.test(name, async () => assert.deepEqual(await actionsOf(RFC_EXAMPLE, message(headers)), want));
  }
});

test('implicit keep and what cancels it (RFC 5228 section 2.10.2)', async (t) => {
  const cases: Array<[string, string, string[]]> = [
    ['empty script keeps', '', ['keep']],
    ['discard cancels', 'discard;', ['discard']],
    ['stop before any action keeps', 'stop; discard;', ['keep']],
    ['fileinto cancels', 'require "fileinto"; fileinto "A";', ['fileinto:A']],
    ['fileinto :copy does not', 'require ["fileinto","copy"]; fileinto :copy "A";', ['fileinto:A:copy', 'keep']],
    ['redirect cancels', 'redirect "a@b.example";', ['redirect:a@b.example']],
    ['redirect :copy does not (RFC 3894)', 'require "copy"; redirect :copy "a@b.example";', ['redirect:a@b.example:copy', 'keep']],
    ['discard then keep', 'discard; keep;', ['discard', 'keep']],
    ['false if, true elsif, else skipped', 'require "fileinto"; if false { fileinto "A"; } elsif true { fileinto "B"; } else { fileinto "C"; }', ['fileinto:B']],
    ['else taken', 'require "fileinto"; if false { fileinto "A"; } elsif false { fileinto "B"; } else { fileinto "C"; }', ['fileinto:C']],
    ['if chain restarts after else', 'require "fileinto"; if true { fileinto "A"; } else { fileinto "B"; } if false { } else { fileinto "C"; }', ['fileinto:A', 'fileinto:C']],
  ];
  for (const [name, script, want] of cases) {
    await t.test(name, async () => assert.deepEqual(await actionsOf(script), want));
  }
});

test('identical actions are taken once (RFC 5228 section 2.10.3)', async () => {
  const r = await run('require "fileinto"; fileinto "A"; fileinto "A"; keep; fileinto "INBOX"; redirect "x@y.example"; redirect "X@y.example";');
  assert.deepEqual(r.actions.map((a) => a.type), ['fileinto', 'keep', 'redirect']);
  assert.deepEqual(r.log, ['fileinto "A" already taken: done once', 'fileinto "INBOX" already taken: done once', 'redirect to X@y.example already taken: done once']);
});

const M = message([
  'From: "Wile E. Coyote" <Coyote+traps@Desert.Example.org>',
  'To: roadrunner@acme.example.com, "Group": a@b.example, c@d.example;',
  'Cc: undisclosed-recipients:;',
  'Subject: =?iso-8859-1?q?R=E9sum=E9?= attached',
  'X-Count: 42',
  'X-Count: 7',
  'Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)',
], 'body text\r\n');

test('header, address, exists, size, envelope (RFC 5228 section 5)', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['header :is decoded RFC 2047', 'header :is "subject" "Résumé attached"', true],
    ['header name any case', 'header :contains "SUBJECT" "sumé"', true],
    ['header :is is whole value', 'header :is "subject" "Résumé"', false],
    ['header casemap by default', 'header :is "subject" "RÉSUMÉ ATTACHED"', false],
    ['header missing', 'header :contains "x-none" ""', false],
    ['header any of several fields', 'header :is "x-count" "7"', true],
    ['address :all', 'address :is "from" "coyote+traps@desert.example.org"', true],
    ['address :localpart', 'address :localpart :is "from" "Coyote+traps"', true],
    ['address :domain casemap', 'address :domain :is "from" "desert.example.ORG"', true],
    ['address in a group', 'address :is "to" "c@d.example"', true],
    ['address of an empty group', 'address :matches "cc" "*"', false],
    ['exists all', 'exists ["From", "x-count"]', true],
    ['exists one missing', 'exists ["From", "x-none"]', false],
    ['size :over', `size :over ${M.raw.length - 1}`, true],
    ['size :under', `size :under ${M.raw.length}`, false],
    ['not', 'not exists "x-none"', true],
    ['allof short', 'allof (true, exists "from")', true],
    ['anyof', 'anyof (false, false)', false],
    ['envelope from', 'envelope :is "from" "coyote@desert.example.org"', true],
    ['envelope to domain', 'envelope :domain :is "to" "acme.example.com"', true],
  ];
  for (const [name, testSrc, want] of cases) {
    await t.test(name, async () => {
      const got = await actionsOf(`require "envelope"; if ${testSrc} { discard; }`, M);
      assert.deepEqual(got, want ? ['discard'] : ['keep']);
    });
  }
});

test('envelope with the null sender (RFC 5228 section 5.4)', async () => {
  const m = message(['Subject: bounce'], 'x\r\n', { from: '' });
  assert.deepEqual(await actionsOf('require "envelope"; if envelope :is "from" "" { discard; }', m), ['discard']);
});

test('comparators and match types (RFC 4790, RFC 5228 section 2.7.1)', async (t) => {
  const cases: Array<[string, string, boolean]> = [
    ['octet is case-sensitive', 'header :is :comparator "i;octet" "subject" "résumé attached"', false],
    ['octet :contains', 'header :contains :comparator "i;octet" "subject" "sumé att"', true],
    [':matches * and ?', 'header :matches "subject" "R?sum? *"', true],
    [':matches escaped *', 'header :matches "subject" "Résumé attached\\\\*"', false],
    [':matches literal star via escape', 'header :matches "x-star" "a\\\\*b"', true],
    [':matches without wildcards is :is', 'header :matches "subject" "résumé ATTACHED"', true],
    ['ascii-numeric equality', 'header :is :comparator "i;ascii-numeric" "x-count" "042"', true],
    ['ascii-numeric non-digits are infinity and equal', 'header :is :comparator "i;ascii-numeric" "subject" "abc"', true],
  ];
  const m = message([...['Subject: Résumé attached', 'X-Count: 42', 'X-Star: a*b']]);
  for (const [name, testSrc, want] of cases) {
    await t.test(name, async () => {
      const got = await actionsOf(`require "comparator-i;ascii-numeric"; if ${testSrc} { discard; }`, m);
      assert.deepEqual(got, want ? ['discard'] : ['keep']);
    });
  }
});

test('limits: actions, redirects, CPU (SieveLimits)', async () => {
  const env = fakeEnv();
  const many = compileSieve('require "fileinto";' + Array.from({ length: 40 }, (_, i) => `fileinto "m${i}";`).join(''), { outgoing: true });
  await assert.rejects(runSieve(many, message(['Subject: x']), env), new SieveRuntimeError('more than 32 actions'));
  const redirects = compileSieve(Array.from({ length: 5 }, (_, i) => `redirect "r${i}@x.example";`).join(''), { outgoing: true });
  await assert.rejects(runSieve(redirects, message(['Subject: x']), env), new SieveRuntimeError('more than 4 redirects'));
  assert.equal((await runSieve(redirects, message(['Subject: x']), env, { limits: { maxRedirects: 5 } })).actions.length, 5);
  // A script that matches a long header many times runs past a 1 ms budget.
  const long = 'a'.repeat(20000);
  const slow = compileSieve(`if anyof (${Array.from({ length: 200 }, () => 'header :matches "x-long" "*a*a*a*b"').join(', ')}) { discard; }`, { outgoing: true });
  await assert.rejects(runSieve(slow, message([`X-Long: ${long}`]), env, { limits: { maxCpuMs: 1 } }), /script used more than 1 ms of CPU/);
});

test('real corpus messages', async () => {
  const corpus = '/work/shared/corpus/real';
  const raw = (n: string): Buffer => toCrlf(readFileSync(`${corpus}/${n}.eml`));
  const script = compileSieve(`require ["fileinto", "variables", "envelope"];
if header :matches "subject" "*" { set "subject" "\${1}"; }
if address :domain :matches "from" "*" { fileinto "from/\${1}"; }`, { outgoing: true });
  for (const n of ['00001', '00002', '00003']) {
    const msg = { raw: raw(n), envelope: { from: 'x@y.example', to: 'me@z.example' }, now: NOW };
    const r = await runSieve(script, msg, fakeEnv());
    assert.equal(r.actions.length, 1, n);
    assert.equal(r.actions[0]!.type, 'fileinto', n);
  }
});
