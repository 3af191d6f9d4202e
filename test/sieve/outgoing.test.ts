/**
 * Actions that write mail: reject and ereject (RFC 5429, with the MDN of section 2.2.1 and the rules of
 * section 2.4) and vacation (RFC 5230, RFC 6131: when not to reply, the reply's headers, :handle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SieveRuntimeError, type SieveAction } from '../../src/sieve/index.js';
import { actionsOf, fakeEnv, message, NOW, run } from './support.js';

const COYOTE = message([
  'From: coyote@desert.example.org', 'To: roadrunner@acme.example.com', 'Subject: I have a present for you',
  'Message-ID: <m1@desert.example.org>', 'References: <m0@desert.example.org>',
]);

test('reject: RFC 5429 section 2.2.1 example, with the MDN', async () => {
  const script = `require ["reject"];
if header :contains "from" "coyote@desert.example.org" {
    reject text:
I am not taking mail from you, and I don't
want your birdseed, either!
.
    ;
}`;
  const r = await run(script, COYOTE);
  assert.equal(r.actions.length, 1);
  const a = r.actions[0] as Extract<SieveAction, { type: 'reject' }>;
  assert.equal(a.reason, "I am not taking mail from you, and I don't\r\nwant your birdseed, either!\r\n");
  assert.equal(a.ereject, false);
  const mdn = a.mdn.toString('utf8');
  assert.match(mdn, /^From: Mail Delivery Subsystem <MAILER-DAEMON@acme\.example\.com>\r\nTo: <coyote@desert\.example\.org>\r\nSubject: Rejected: I have a present for you\r\n/);
  assert.match(mdn, /\r\nContent-Type: multipart\/report; report-type=disposition-notification; boundary="sieve-reject-/);
  assert.match(mdn, /\r\nDisposition: automatic-action\/MDN-sent-automatically; deleted\r\n/);
  assert.match(mdn, /\r\nFinal-Recipient: rfc822; roadrunner@acme\.example\.com\r\n/);
  assert.match(mdn, /\r\nOriginal-Message-ID: <m1@desert\.example\.org>\r\n/);
  assert.match(mdn, /want your birdseed, either!\r\n/);
  assert.match(mdn, /Content-Type: text\/rfc822-headers\r\n\r\nFrom: coyote@desert\.example\.org\r\n/);
});

test('ereject, and reject to the null sender carries no MDN', async () => {
  const r = await run('require "ereject"; ereject "no thanks";', message(['Subject: x'], 'x\r\n', { from: '' }));
  assert.deepEqual(r.actions, [{ type: 'reject', reason: 'no thanks', ereject: true, mdn: Buffer.alloc(0) }]);
});

test('reject is incompatible with delivery, vacation and another reject (RFC 5429 section 2.4)', async () => {
  await assert.rejects(run('require ["reject", "fileinto"]; fileinto "A"; reject "no";'), new SieveRuntimeError('reject cannot be combined with fileinto (RFC 5429 section 2.4)'));
  await assert.rejects(run('require "reject"; reject "no"; keep;'), new SieveRuntimeError('keep cannot be combined with reject (RFC 5429 section 2.4)'));
  await assert.rejects(run('require ["reject", "ereject"]; reject "no"; ereject "no";'), new SieveRuntimeError('ereject cannot be combined with another reject (RFC 5429 section 2.4)'));
  await assert.rejects(run('require ["reject", "vacation"]; vacation "away"; reject "no";', COYOTE), new SieveRuntimeError('reject cannot be combined with vacation (RFC 5429 section 2.4)'));
  assert.deepEqual(await actionsOf('require "reject"; discard; reject "no";'), ['discard', 'reject:no']);
});

test('vacation: the reply (RFC 5230 sections 4 and 5)', async () => {
  const r = await run('require "vacation"; vacation :days 23 :addresses ["tjs@example.edu", "ts4z@landru.example.edu"] "Gone fishin\'.";', COYOTE);
  assert.equal(r.actions.length, 2);
  const v = r.actions[0] as Extract<SieveAction, { type: 'vacation' }>;
  assert.deepEqual([v.to, v.from, v.seconds, r.actions[1]!.type], ['coyote@desert.example.org', 'roadrunner@acme.example.com', 23 * 86400, 'keep']);
  assert.match(v.handle, /^[0-9a-f]{32}$/);
  const text = v.reply.toString('utf8');
  const head = text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n').filter((l) => !/^(Date|Message-ID):/.test(l));
  assert.deepEqual(head, [
    'From: roadrunner@acme.example.com', 'To: coyote@desert.example.org', 'Subject: Auto: I have a present for you',
    'In-Reply-To: <m1@desert.example.org>', 'References: <m0@desert.example.org> <m1@desert.example.org>',
    'Auto-Submitted: auto-replied', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit',
  ]);
  assert.match(text, /\r\nDate: Tue, 3 Mar 2026 10:20:30 \+0000\r\n/);
  assert.match(text, /\r\nMessage-ID: <[0-9a-f-]+@acme\.example\.com>\r\n/);
  assert.ok(text.endsWith("\r\n\r\nGone fishin'.\r\n"));
  void NOW;
});

test('vacation: :subject, :from, :mime, :handle, :seconds', async () => {
  const script = `require ["vacation", "vacation-seconds"];
vacation :seconds 3600 :subject "Abwesend – Urlaub" :from "Road Runner <rr@acme.example.com>" :handle "h1" :mime text:
Content-Type: text/plain; charset=us-ascii

Beep beep.
.
;`;
  const r = await run(script, COYOTE);
  const v = r.actions[0] as Extract<SieveAction, { type: 'vacation' }>;
  assert.deepEqual([v.handle, v.seconds, v.from], ['h1', 3600, 'rr@acme.example.com']);
  const text = v.reply.toString('utf8');
  assert.match(text, /^From: Road Runner <rr@acme\.example\.com>\r\n/);
  assert.match(text, /\r\nSubject: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=\r\n/);
  assert.ok(text.endsWith('MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nBeep beep.\r\n'));
  // The default handle depends on the arguments (RFC 5230 section 4.2): two reasons, two handles.
  const a = await run('require "vacation"; vacation "one";', COYOTE);
  const b = await run('require "vacation"; vacation "two";', COYOTE);
  assert.notEqual((a.actions[0] as { handle: string }).handle, (b.actions[0] as { handle: string }).handle);
});

test('vacation: when not to reply (RFC 5230 sections 4.5, 4.6)', async (t) => {
  const base = ['From: coyote@desert.example.org', 'To: roadrunner@acme.example.com', 'Subject: hi'];
  const cases: Array<[string, string[], Partial<{ from: string }>, string]> = [
    ['mailing list', [...base, 'List-Id: <list.example.org>'], {}, 'vacation not sent: mailing list message (list-id)'],
    ['List-Unsubscribe', [...base, 'List-Unsubscribe: <mailto:x@y>'], {}, 'vacation not sent: mailing list message (list-unsubscribe)'],
    ['bulk', [...base, 'Precedence: bulk'], {}, 'vacation not sent: Precedence: bulk'],
    ['auto-submitted', [...base, 'Auto-Submitted: auto-replied'], {}, 'vacation not sent: Auto-Submitted: auto-replied'],
    ['null sender', base, { from: '' }, 'vacation not sent: null envelope sender'],
    ['MAILER-DAEMON', base, { from: 'MAILER-DAEMON@example.org' }, 'vacation not sent: sender MAILER-DAEMON@example.org is a mail robot'],
    ['owner-', base, { from: 'owner-list@example.org' }, 'vacation not sent: sender owner-list@example.org is a mail robot'],
    ['-request', base, { from: 'list-request@example.org' }, 'vacation not sent: sender list-request@example.org is a mail robot'],
    ['not addressed to me', ['From: coyote@desert.example.org', 'To: someone@else.example', 'Subject: hi'], {}, 'vacation not sent: message not addressed to the user'],
  ];
  for (const [name, headers, envelope, log] of cases) {
    await t.test(name, async () => {
      const r = await run('require "vacation"; vacation "away";', message(headers, 'x\r\n', envelope));
      assert.deepEqual([r.actions.map((a) => a.type), r.log], [['keep'], [log]]);
    });
  }
  await t.test('Auto-Submitted: no still replies; :addresses and Resent-Cc count as mine', async () => {
    const m = message(['From: coyote@desert.example.org', 'To: x@else.example', 'Resent-Cc: Me <alias@acme.example.com>', 'Auto-Submitted: no'], 'x\r\n', { to: 'rr@acme.example.com' });
    const env = fakeEnv({ userAddresses: [] });
    assert.deepEqual(await actionsOf('require "vacation"; vacation :addresses "alias@acme.example.com" "away";', m, env), ['vacation:coyote@desert.example.org', 'keep']);
  });
});

test('vacation runs once per script (RFC 5230 section 4.7)', async () => {
  await assert.rejects(run('require "vacation"; vacation "a"; vacation "b";', COYOTE), new SieveRuntimeError('line 1: vacation may be executed only once (RFC 5230 section 4.7)'));
});
