import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvelopeAddress } from './types.js';
import { parseAddressList } from './address.js';

const a = (name: string | null, mailbox: string | null, host: string | null, adl: string | null = null): EnvelopeAddress =>
  ({ name, adl, mailbox, host });
const groupEnd = a(null, null, null);

test('parseAddressList (RFC 5322 section 3.4, ENVELOPE RFC 9051 section 7.5.2)', async (t) => {
  const cases: Array<[string, string | null, EnvelopeAddress[] | null]> = [
    ['absent', null, null],
    ['empty', '', null],
    ['only whitespace and commas', ' , ,', null],
    ['addr-spec', 'joe@example.com', [a(null, 'joe', 'example.com')]],
    ['name-addr, quoted name', '"Joe Q. Public" <john.q.public@example.com>', [a('Joe Q. Public', 'john.q.public', 'example.com')]],
    ['unquoted name with dot', 'John Q. Public <jqp@x.test>', [a('John Q. Public', 'jqp', 'x.test')]],
    ['encoded-word name stays raw', '=?utf-8?q?J=C3=B6rg?= <j@x.de>', [a('=?utf-8?q?J=C3=B6rg?=', 'j', 'x.de')]],
    ['8-bit name kept', 'Jörg Müller <j@x.de>', [a('Jörg Müller', 'j', 'x.de')]],
    ['comment as name (Dovecot)', 'j@x.test (John Doe)', [a('John Doe', 'j', 'x.test')]],
    ['comments ignored in name-addr', 'Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>', [a('Pete', 'pete', 'silly.test')]],
    ['quoted comma', '"Smith, John" <js@x.test>, b@y.test', [a('Smith, John', 'js', 'x.test'), a(null, 'b', 'y.test')]],
    ['empty quoted name is NIL', '"" <x@y.test>', [a(null, 'x', 'y.test')]],
    ['no domain: MISSING_DOMAIN (Dovecot)', 'foo', [a(null, 'foo', 'MISSING_DOMAIN')]],
    ['angle without domain', 'Moderator <moderator>', [a('Moderator', 'moderator', 'MISSING_DOMAIN')]],
    ['words without an address: a name (Dovecot)', 'Mary Smith', [a('Mary Smith', 'MISSING_MAILBOX', 'MISSING_DOMAIN')]],
    ['words without an address, then a mailbox', 'Mary Smith, b@y.test', [a('Mary Smith', 'MISSING_MAILBOX', 'MISSING_DOMAIN'), a(null, 'b', 'y.test')]],
    ['space inside angle: SYNTAX_ERROR (Dovecot)', '<Undisclosed Recipients@chinabal.com>', [a(null, 'Undisclosed', 'SYNTAX_ERROR')]],
    ['colon inside angle: SYNTAX_ERROR (Dovecot)', '<C:`Bulk.txt@dogma.test>', [a(null, 'C', 'SYNTAX_ERROR')]],
    ['empty angle', 'MAILER DAEMON <>', [a('MAILER DAEMON', 'MISSING_MAILBOX', 'MISSING_DOMAIN')]],
    ['source route kept as adl', '<@r1.test,@r2.test:a@b.test>', [a(null, 'a', 'b.test', '@r1.test,@r2.test')]],
    ['domain literal', 'x@[192.0.2.1]', [a(null, 'x', '[192.0.2.1]')]],
    ['quoted local part unquoted (Dovecot)', '"john doe"@x.test', [a(null, 'john doe', 'x.test')]],
    ['empty group', 'undisclosed-recipients:;', [a(null, 'undisclosed-recipients', null), groupEnd]],
    ['group with members then a mailbox', 'A Group:Ed Jones <c@a.test>,joe@where.test;, Mary <mary@x.test>', [
      a(null, 'A Group', null), a('Ed Jones', 'c', 'a.test'), a(null, 'joe', 'where.test'), groupEnd, a('Mary', 'mary', 'x.test'),
    ]],
    ['unterminated group still closed', 'team: a@b.test', [a(null, 'team', null), a(null, 'a', 'b.test'), groupEnd]],
  ];
  for (const [name, input, want] of cases) {
    await t.test(name, () => assert.deepEqual(parseAddressList(input), want));
  }
});
