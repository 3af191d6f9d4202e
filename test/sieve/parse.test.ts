/**
 * Parser and checker (RFC 5228 section 8 grammar, section 3.2 require, argument rules): what compiles,
 * and for what does not, the exact line, column and message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSieve, SieveCompileError } from '../../src/sieve/index.js';
import { parseScript } from '../../src/sieve/parse.js';

function compileError(source: string, outgoing = true): { line: number; column: number; message: string } {
  try {
    compileSieve(source, { outgoing });
  } catch (e) {
    assert.ok(e instanceof SieveCompileError, String(e));
    return { line: e.line, column: e.column, message: e.message };
  }
  assert.fail(`compiled: ${source}`);
}

test('lexer: comments, numbers with K/M/G, tags, escapes', () => {
  const cmds = parseScript('# hash comment\r\n/* bracket\r\n comment */ if size :OVER 1K { discard; } # end\r\nkeep;');
  assert.equal(cmds.length, 2);
  assert.deepEqual(cmds[0]!.tests[0]!.args, [
    { kind: 'tag', name: 'over', line: 3, column: 21 },
    { kind: 'number', value: 1024, line: 3, column: 27 },
  ]);
  assert.deepEqual(parseScript('x 2M 3g;')[0]!.args.map((a) => (a.kind === 'number' ? a.value : null)), [2 * 1024 * 1024, 3 * 1024 ** 3]);
  const s = parseScript('x "a\\"b\\\\c\\d";')[0]!.args[0]!;
  assert.deepEqual(s.kind === 'string' ? s.value : null, 'a"b\\cd');
});

test('lexer: text: multi-line strings with dot-stuffing (RFC 5228 section 2.4.2)', () => {
  const cmds = parseScript('reject text: # comment\n..first\nsecond\n.\n;\nkeep;');
  const a = cmds[0]!.args[0]!;
  assert.equal(a.kind === 'string' ? a.value : null, '.first\r\nsecond\r\n');
  assert.equal(cmds[1]!.line, 6);
  assert.deepEqual(parseScript('x text:\r\n.\r\n;')[0]!.args[0], { kind: 'string', value: '', line: 1, column: 3 });
});

test('parser: string lists, test lists, nested blocks', () => {
  const cmds = parseScript('if anyof (not exists ["From","Date"], header :is "x" ["a", "b"]) { if true { stop; } }');
  const t = cmds[0]!.tests[0]!;
  assert.equal(t.name, 'anyof');
  assert.equal(t.tests.length, 2);
  assert.deepEqual(t.tests[0]!.tests[0]!.args[0], { kind: 'list', values: ['From', 'Date'], line: 1, column: 22 });
  assert.equal(cmds[0]!.block![0]!.block![0]!.name, 'stop');
});

test('syntax errors carry line and column', async (t) => {
  const cases: Array<[string, string, number, number, string]> = [
    ['missing semicolon (the next command reads as a test)', 'keep\ndiscard;', 2, 1, 'keep takes no test'],
    ['missing semicolon at the end', 'keep\n"x"', 2, 4, 'expected ";" or "{" after keep, found end of script'],
    ['unterminated string', 'fileinto "abc;\n', 1, 10, 'unterminated string'],
    ['unterminated comment', 'keep;\n  /* open', 2, 3, 'unterminated /* comment'],
    ['unterminated text:', 'reject text:\nline\n', 3, 1, 'unterminated text: string (a line with only "." ends it)'],
    ['bad character', 'keep;\n  @', 2, 3, 'unexpected character "@"'],
    ['bad string list', 'require ["a" "b"];', 1, 14, 'expected "," or "]" in the string list, found a string'],
    ['unclosed block', 'if true {\n keep;\n', 3, 1, 'expected "}" or a command, found end of script'],
    ['stray brace', 'keep; }', 1, 7, 'expected a command, found "}"'],
    ['bad test list', 'if anyof (true false) { }', 1, 16, 'true takes no test'],
    ['unclosed test list', 'if anyof (true, false { }', 1, 23, 'expected "," or ")" in the test list, found "{"'],
    ['bad number', 'if size :over 10X { }', 1, 15, 'bad number "10X"'],
  ];
  for (const [name, src, line, column, message] of cases) {
    await t.test(name, () => assert.deepEqual(compileError(src), { line, column, message }));
  }
});

test('checker errors carry line and column', async (t) => {
  const cases: Array<[string, string, number, number, string]> = [
    ['unknown command', 'keep;\nfrobnicate;', 2, 1, 'unknown command "frobnicate"'],
    ['unknown test', 'if frob { }', 1, 4, 'unknown test "frob"'],
    ['capability not required', 'fileinto "x";', 1, 1, 'fileinto needs require "fileinto"'],
    ['unsupported capability', 'require ["fileinto", "notify"];', 1, 9, 'unsupported extension "notify"'],
    ['regex is not offered', 'require "regex";', 1, 9, 'unsupported extension "regex"'],
    ['require after a command', 'keep;\nrequire "fileinto";', 2, 1, 'require is only allowed at the start of the script'],
    ['require inside a block', 'if true { require "fileinto"; }', 1, 11, 'require is only allowed at the start of the script'],
    ['else without if', 'keep;\nelse { keep; }', 2, 1, 'else must follow if or elsif'],
    ['elsif after else', 'if true { } else { } elsif false { }', 1, 22, 'elsif must follow if or elsif'],
    ['if without block', 'if true;', 1, 1, 'if needs a block'],
    ['if without test', 'if { }', 1, 1, 'if needs exactly one test'],
    ['block on keep', 'keep { }', 1, 1, 'keep takes no block'],
    ['missing argument', 'require "fileinto"; fileinto;', 1, 21, 'fileinto takes 1 positional argument(s), got 0'],
    ['wrong type', 'require "fileinto"; fileinto 5;', 1, 30, 'fileinto needs a string here'],
    ['list where string', 'require "fileinto"; fileinto ["a","b"];', 1, 30, 'fileinto needs a string here'],
    ['unknown tag', 'if header :foo "a" "b" { }', 1, 11, 'header has no tag :foo'],
    ['two match types', 'if header :is :contains "a" "b" { }', 1, 15, ':contains cannot be combined with :is'],
    ['tag without argument', 'if header :comparator :is "a" "b" { }', 1, 23, ':comparator needs a string argument'],
    ['unknown comparator', 'if header :comparator "i;frob" "a" "b" { }', 1, 23, 'unknown comparator "i;frob"'],
    ['numeric comparator not required', 'if header :comparator "i;ascii-numeric" "a" "1" { }', 1, 23, 'comparator "i;ascii-numeric" needs require "comparator-i;ascii-numeric"'],
    ['tag needs extension', 'if address :user "to" "x" { }', 1, 12, ':user needs require "subaddress"'],
    ['tag after positional', 'if header "a" :is "b" { }', 1, 15, 'tag :is must come before the positional arguments of header'],
    ['not with two tests', 'if not (true, false) { }', 1, 15, 'not needs exactly one test'],
    ['anyof without list', 'if anyof true { }', 1, 4, 'anyof needs a test list in parentheses'],
    ['size without over/under is fine to parse but not number', 'if size :over "1" { }', 1, 15, 'size needs a number here'],
    ['address on a non-address header', 'if address "subject" "x" { }', 1, 12, 'address test on "subject", which is not an address header'],
    ['bad envelope part', 'require "envelope"; if envelope "cc" "x" { }', 1, 33, 'unknown envelope part "cc" (from, to)'],
    ['bad relation', 'require "relational"; if header :value "xx" "a" "b" { }', 1, 40, 'unknown relation "xx" (gt ge lt le eq ne)'],
    ['redirect to a non-address', 'redirect "nobody";', 1, 10, 'redirect to "nobody", which is not an address'],
    ['bad date part', 'require "date"; if currentdate "fortnight" "1" { }', 1, 32, 'unknown date part "fortnight"'],
    ['bad zone', 'require "date"; if currentdate :zone "CET" "year" "1" { }', 1, 38, 'bad :zone "CET" (+hhmm or -hhmm)'],
    [':last without :index', 'require "index"; if header :last "a" "b" { }', 1, 21, ':last needs :index'],
    ['bad variable name', 'require "variables"; set "1a" "x";', 1, 26, 'bad variable name "1a"'],
    ['numeric with :contains', 'require "comparator-i;ascii-numeric"; if header :contains :comparator "i;ascii-numeric" "a" "1" { }', 1, 42, ':contains cannot be used with i;ascii-numeric'],
    ['bad unicode encoded character', 'require "encoded-character"; keep :flags "${unicode:D800}";', 1, 42, 'invalid unicode character D800 in encoded-character'],
    ['constructor is not a command', 'constructor;', 1, 1, 'unknown command "constructor"'],
  ];
  for (const [name, src, line, column, message] of cases) {
    await t.test(name, () => assert.deepEqual(compileError(src), { line, column, message }));
  }
});

test('outgoing: false refuses redirect and vacation with a relay hint', () => {
  assert.deepEqual(compileError('keep;\nredirect "a@b.example";', false), { line: 2, column: 1, message: 'redirect needs outgoing mail: set outgoing.smtp' });
  assert.deepEqual(compileError('require ["vacation"];\nvacation "away";', false), { line: 1, column: 9, message: 'vacation needs outgoing mail: set outgoing.smtp' });
  assert.doesNotThrow(() => compileSieve('require "fileinto"; fileinto "a";', { outgoing: false }));
});

test('script size limit (maxScriptOctets)', () => {
  assert.throws(() => compileSieve('keep;'.repeat(100), { outgoing: true, limits: { maxScriptOctets: 100 } }), { name: 'SieveCompileError', message: 'script is larger than 100 octets', line: 1, column: 1 });
  assert.deepEqual(compileSieve('require ["fileinto", "variables"]; keep;', { outgoing: true }).requires, ['fileinto', 'variables']);
});

test('identifiers and tags are case-insensitive', () => {
  assert.doesNotThrow(() => compileSieve('REQUIRE "fileinto"; IF HEADER :CONTAINS "a" "b" { FILEINTO "x"; } ELSE { KEEP; }', { outgoing: true }));
});
