/**
 * ManageSieve (RFC 5804) as raw transcripts: the capability list before and after STARTTLS and after
 * login, AUTHENTICATE PLAIN (initial response, continuation as a quoted string and as a literal, cancel,
 * wrong password, plaintext rule), every script command with its response codes (NONEXISTENT,
 * ALREADYEXISTS, ACTIVE, QUOTA/MAXSIZE, QUOTA/MAXSCRIPTS, ENCRYPT-NEEDED, AUTH-TOO-WEAK, TAG), literals
 * {n+} and {n}, malformed input, limits and timeouts, and the session registry (who, kick), against both
 * storage backends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SIEVE_LIMITS, SIEVE_EXTENSIONS } from '../../src/sieve/index.js';
import { ManageSieveClient } from '../support/line-client.js';
import { BACKENDS, serverPerSuite, startTestServer, type TestServer } from '../support/server.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const plain = (user: string, password = 'pw'): string => b64(`\0${user}\0${password}`);

/** caps is the capability list as sent, without its final OK. */
function caps(opts: { sasl: boolean; starttls: boolean; owner?: string; vacation?: boolean }): string[] {
  const sieve = SIEVE_EXTENSIONS.filter((e) => opts.vacation || (e !== 'vacation' && e !== 'vacation-seconds')).join(' ');
  return [
    '"IMPLEMENTATION" "Letterbox"',
    `"SASL" "${opts.sasl ? 'PLAIN' : ''}"`,
    `"SIEVE" "${sieve}"`,
    ...(opts.starttls ? ['"STARTTLS"'] : []),
    `"MAXREDIRECTS" "${DEFAULT_SIEVE_LIMITS.maxRedirects}"`,
    ...(opts.owner ? [`"OWNER" "${opts.owner}"`] : []),
    '"UNAUTHENTICATE"',
    '"VERSION" "1.0"',
  ];
}

/** challenge sends `line` and reads the one line of a SASL challenge (not a response: no OK, NO or BYE ends it). */
async function challenge(c: ManageSieveClient, line: string): Promise<string> {
  c.send(line);
  return c.readLine();
}

/** loggedIn connects over cleartext from loopback (where the default rule allows PLAIN) and authenticates. */
async function loggedIn(srv: TestServer, user: string): Promise<ManageSieveClient> {
  const c = await ManageSieveClient.connect(srv.managesievePort);
  assert.deepEqual(await c.command(`AUTHENTICATE "PLAIN" "${plain(user)}"`), ['OK "Logged in."']);
  return c;
}

for (const backend of BACKENDS) {
  describe(`ManageSieve transcript [${backend}]`, () => {
    const env = serverPerSuite(backend, 'ms');

    it('greets with the capabilities, re-sends them after STARTTLS, and adds OWNER after login', async () => {
      const c = await ManageSieveClient.connect(env.srv.managesievePort);
      assert.deepEqual(c.greetingLines, [...caps({ sasl: true, starttls: true }), 'OK "Letterbox ready."']);
      assert.deepEqual(await c.command('CAPABILITY'), [...caps({ sasl: true, starttls: true }), 'OK "Capability completed."']);
      const tls = await c.starttls(env.srv.cert);
      assert.deepEqual(tls.ok, ['OK "Begin TLS negotiation now."']);
      assert.deepEqual(tls.capabilities, [...caps({ sasl: true, starttls: false }), 'OK "TLS negotiation successful."']);
      assert.deepEqual(await c.command('STARTTLS'), ['NO "TLS is already active."']);
      assert.deepEqual(await c.command(`AUTHENTICATE "PLAIN" "${plain(env.user)}"`), ['OK "Logged in."']);
      assert.deepEqual(await c.command('capability'), [...caps({ sasl: true, starttls: false, owner: env.user }), 'OK "Capability completed."']);
      assert.deepEqual(await c.command('STARTTLS'), ['NO "STARTTLS is not valid after authentication."']);
      assert.deepEqual(await c.command('LOGOUT'), ['OK "Logout completed."']);
      assert.ok(await c.closedByServer());
    });

    it('AUTHENTICATE PLAIN: initial response, continuation as a quoted string and as a literal, cancel, failures', async () => {
      const c = await ManageSieveClient.connect(env.srv.managesievePort);
      const exchanges: Array<[string, string[]]> = [
        ['LISTSCRIPTS', ['NO "LISTSCRIPTS needs authentication first."']],
        ['PUTSCRIPT "a" "keep;"', ['NO "PUTSCRIPT needs authentication first."']],
        ['UNAUTHENTICATE', ['NO "UNAUTHENTICATE needs authentication first."']],
        ['AUTHENTICATE "CRAM-MD5"', ['NO "Unsupported SASL mechanism: CRAM-MD5."']],
        ['AUTHENTICATE "ANONYMOUS"', ['NO (AUTH-TOO-WEAK) "Anonymous login is not allowed."']],
        ['AUTHENTICATE', ['NO "AUTHENTICATE takes 1 to 2 arguments, 0 given."']],
        ['AUTHENTICATE PLAIN', ['NO "AUTHENTICATE: argument 1 must be a string."']],
        [`AUTHENTICATE "PLAIN" "${plain(env.user, 'wrong')}"`, ['NO "Authentication failed."']],
        [`AUTHENTICATE "PLAIN" "${plain('nobody@example.com')}"`, ['NO "Authentication failed."']],
        ['AUTHENTICATE "PLAIN" "not base64!"', ['NO "Invalid base64 in authentication response"']],
        [`AUTHENTICATE "PLAIN" "${b64(`bob@example.com\0${env.user}\0pw`)}"`, ['NO "Authorization identity must be empty or equal the user name."']],
        [`AUTHENTICATE "PLAIN" "${b64('no nuls')}"`, ['NO "Malformed PLAIN response"']],
      ];
      for (const [command, expected] of exchanges) assert.deepEqual(await c.command(command), expected, command);
      // Without an initial response: an empty challenge, answered by a string; "*" cancels.
      assert.equal(await challenge(c, 'AUTHENTICATE "PLAIN"'), '""');
      assert.deepEqual(await c.command('"*"'), ['NO "Authentication cancelled."']);
      assert.equal(await challenge(c, 'AUTHENTICATE "plain"'), '""');
      assert.deepEqual(await c.command('NOOP'), ['NO "Expected a SASL response string."']);
      assert.equal(await challenge(c, 'AUTHENTICATE "PLAIN"'), '""');
      assert.deepEqual(await c.command(`"${plain(env.user)}"`), ['OK "Logged in."']);
      assert.deepEqual(await c.command('AUTHENTICATE "PLAIN"'), ['NO "AUTHENTICATE is not valid after authentication."']);
      assert.deepEqual(await c.command('UNAUTHENTICATE'), ['OK "Unauthenticate completed."']);
      assert.deepEqual(await c.command('LISTSCRIPTS'), ['NO "LISTSCRIPTS needs authentication first."']);
      const response = plain(env.user);
      assert.equal(await challenge(c, 'AUTHENTICATE "PLAIN"'), '""');
      assert.deepEqual(await c.command(`{${response.length}+}\r\n${response}`), ['OK "Logged in."']);
      assert.deepEqual(await c.command('LISTSCRIPTS'), ['OK "Listscripts completed."']);
      // The failed logins count towards the penalty every protocol shares.
      assert.ok((await env.srv.store.listPenalties(Date.now(), 60_000)).some((p) => p.remote === '127.0.0.1'));
      c.close();
    });

    it('PUTSCRIPT, LISTSCRIPTS, SETACTIVE, GETSCRIPT, RENAMESCRIPT, DELETESCRIPT, CHECKSCRIPT, HAVESPACE, NOOP', async () => {
      const c = await loggedIn(env.srv, env.user);
      const script = 'require "fileinto";\r\nif header :contains "subject" "[list]" {\r\n  fileinto "Lists";\r\n}\r\n';
      const octets = Buffer.byteLength(script);
      const put = 'OK "Putscript completed."';
      const exchanges: Array<[string, string[]]> = [
        ['LISTSCRIPTS', ['OK "Listscripts completed."']],
        [`PUTSCRIPT "lists" {${octets}+}\r\n${script}`, [put]],
        [`PUTSCRIPT "Ferien \\"Süd\\"" {6}\r\nkeep;\n`, ['OK "Putscript completed."']],
        ['PUTSCRIPT "tiny" "keep;"', ['OK "Putscript completed."']],
        ['LISTSCRIPTS', ['"Ferien \\"Süd\\""', '"lists"', '"tiny"', 'OK "Listscripts completed."']],
        ['SETACTIVE "lists"', ['OK "Setactive completed."']],
        ['LISTSCRIPTS', ['"Ferien \\"Süd\\""', '"lists" ACTIVE', '"tiny"', 'OK "Listscripts completed."']],
        ['GETSCRIPT "lists"', [`{${octets}}\r\n${script}`, 'OK "Getscript completed."']],
        ['GETSCRIPT "Ferien \\"Süd\\""', ['{6}\r\nkeep;\n', 'OK "Getscript completed."']],
        ['GETSCRIPT "nope"', ['NO (NONEXISTENT) "There is no script by that name."']],
        ['SETACTIVE "nope"', ['NO (NONEXISTENT) "There is no script by that name."']],
        ['DELETESCRIPT "lists"', ['NO (ACTIVE) "You may not delete the active script."']],
        ['DELETESCRIPT "nope"', ['NO (NONEXISTENT) "There is no script by that name."']],
        ['RENAMESCRIPT "tiny" "lists"', ['NO (ALREADYEXISTS) "A script with that name already exists."']],
        ['RENAMESCRIPT "nope" "other"', ['NO (NONEXISTENT) "There is no script by that name."']],
        ['RENAMESCRIPT "lists" "main"', ['OK "Renamescript completed."']],
        ['LISTSCRIPTS', ['"Ferien \\"Süd\\""', '"main" ACTIVE', '"tiny"', 'OK "Listscripts completed."']],
        ['DELETESCRIPT "tiny"', ['OK "Deletescript completed."']],
        ['SETACTIVE ""', ['OK "Script deactivated."']],
        ['DELETESCRIPT "main"', ['OK "Deletescript completed."']],
        ['LISTSCRIPTS', ['"Ferien \\"Süd\\""', 'OK "Listscripts completed."']],
        ['CHECKSCRIPT "keep;"', ['OK "Script is valid."']],
        [`CHECKSCRIPT {${octets}+}\r\n${script}`, ['OK "Script is valid."']],
        ['HAVESPACE "new" 1000', ['OK "Putscript would succeed."']],
        [`HAVESPACE "new" ${DEFAULT_SIEVE_LIMITS.maxScriptOctets + 1}`, [`NO (QUOTA/MAXSIZE) "Script is larger than ${DEFAULT_SIEVE_LIMITS.maxScriptOctets} octets."`]],
        ['HAVESPACE "new" "1000"', ['NO "HAVESPACE: the size must be a number."']],
        ['NOOP', ['OK "NOOP completed."']],
        ['NOOP "STARTTLS-SYNC-42"', ['OK (TAG "STARTTLS-SYNC-42") "Done"']],
        ['noop "x"', ['OK (TAG "x") "Done"']],
      ];
      for (const [command, expected] of exchanges) assert.deepEqual(await c.command(command), expected, command);
      assert.deepEqual((await env.srv.store.listSieveScripts((await env.srv.store.getAccount(env.user))!.id)).map((s) => s.name), ['Ferien "Süd"']);
      c.close();
    });

    it('answers what a script may not use without a relay as the compiler says (vacation, redirect), and compile errors with their line', async () => {
      const c = await loggedIn(env.srv, env.user);
      // The answer is a quoted string (RFC 5804 section 4): the reason's own quotes are escaped.
      const refused: Array<[string, string]> = [
        ['require "vacation";\r\nvacation "I am away.";\r\n', 'NO "line 1: vacation needs outgoing mail: set outgoing.smtp"'],
        ['redirect "bob@example.org";\r\n', 'NO "line 1: redirect needs outgoing mail: set outgoing.smtp"'],
        ['if true {\r\n  keep;\r\n', 'NO "line 3: expected \\"}\\" or a command, found end of script"'],
        ['frobnicate;\r\n', 'NO "line 1: unknown command \\"frobnicate\\""'],
      ];
      for (const [source, answer] of refused) {
        assert.deepEqual(await c.command(`CHECKSCRIPT {${Buffer.byteLength(source)}+}\r\n${source}`), [answer], source);
        assert.deepEqual(await c.command(`PUTSCRIPT "s" {${Buffer.byteLength(source)}+}\r\n${source}`), [answer], source);
      }
      c.close();
    });

    it('refuses bad names, malformed commands and strings, and ends the session after 20 bad commands in a row', async () => {
      const c = await loggedIn(env.srv, env.user);
      const exchanges: Array<[string, string[]]> = [
        ['PUTSCRIPT "" "keep;"', ['NO "Invalid script name: a script name cannot be empty."']],
        ['PUTSCRIPT {5+}\r\na\tb\r\n "keep;"', ['NO "Invalid script name: a script name cannot contain control characters."']],
        ['PUTSCRIPT "a"', ['NO "PUTSCRIPT takes 2 arguments, 1 given."']],
        ['PUTSCRIPT a "keep;"', ['NO "PUTSCRIPT: argument 1 must be a string."']],
        ['GETSCRIPT "unterminated', ['NO "Unterminated quoted string."']],
        ['GETSCRIPT "bad\\escape"', ['NO "Invalid escape in quoted string: only \\\\\\" and \\\\\\\\ are allowed."']],
        ['GETSCRIPT "a"b', ['NO "Expected a space after a quoted string."']],
        ['GETSCRIPT (x)', ['NO "Unexpected characters: (x)"']],
        ['"quoted"', ['NO "Expected a command name."']],
        ['', ['NO "Empty command."']],
        ['XYZZY', ['NO "Unknown command: XYZZY"']],
        ['LISTSCRIPTS now', ['NO "LISTSCRIPTS takes no arguments."']],
        ['HAVESPACE "a" 99999999999', ['NO "Number too large."']],
      ];
      for (const [command, expected] of exchanges) assert.deepEqual(await c.command(command), expected, JSON.stringify(command));
      // Not UTF-8: a literal with a lone 0xFF octet.
      c.write(Buffer.concat([Buffer.from('CHECKSCRIPT {1+}\r\n'), Buffer.from([0xff]), Buffer.from('\r\n')]));
      assert.deepEqual(await c.readResponse(), ['NO "String is not valid UTF-8."']);
      assert.deepEqual(await c.command('NOOP'), ['OK "NOOP completed."'], 'a good command resets the count');
      for (let i = 0; i < 19; i++) assert.deepEqual(await c.command('BOGUS'), ['NO "Unknown command: BOGUS"']);
      assert.deepEqual(await c.command('BOGUS'), ['BYE "Too many invalid commands."']);
      assert.ok(await c.closedByServer());
    });

    it('ends the session on a line too long or a literal announced too large, never buffering it', async () => {
      const long = await loggedIn(env.srv, env.user);
      long.send(`GETSCRIPT "${'x'.repeat(9000)}"`);
      assert.deepEqual(await long.readResponse(), ['BYE "Command line too long."']);
      assert.ok(await long.closedByServer());
      const huge = await loggedIn(env.srv, env.user);
      huge.send('PUTSCRIPT "big" {999999999+}');
      assert.deepEqual(await huge.readResponse(), ['BYE "Literal too large: 999999999 octets."']);
      assert.ok(await huge.closedByServer());
      // Pipelined commands run in order, literals and all.
      const p = await loggedIn(env.srv, env.user);
      p.write('PUTSCRIPT "p" {5+}\r\nkeep;\r\nGETSCRIPT "p"\r\nNOOP "t"\r\n');
      assert.deepEqual(await p.readResponse(), ['OK "Putscript completed."']);
      assert.deepEqual(await p.readResponse(), ['{5}\r\nkeep;', 'OK "Getscript completed."']);
      assert.deepEqual(await p.readResponse(), ['OK (TAG "t") "Done"']);
      p.close();
    });

    it('lists ManageSieve sessions for letterbox who and ends them for kick and user delete', async () => {
      const c = await loggedIn(env.srv, env.user);
      const mine = env.srv.node.sessions.list().filter((s) => s.user === env.user);
      assert.deepEqual(mine.map((s) => [s.protocol, s.mailbox, s.tls]), [['managesieve', null, false]]);
      const account = (await env.srv.store.getAccount(env.user))!;
      await env.srv.store.sendControl({ kind: 'end-sessions', accountId: account.id, reason: 'Disconnected by the administrator.' });
      assert.deepEqual(await c.readResponse(), ['BYE "Disconnected by the administrator."']);
      assert.ok(await c.closedByServer());
      assert.deepEqual(env.srv.node.sessions.list().filter((s) => s.user === env.user), []);
    });
  });

  describe(`ManageSieve limits and plaintext rule [${backend}]`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(
        backend,
        (c) => {
          c.managesieve.plaintextAuth = 'never';
          c.managesieve.maxScripts = 2;
          c.managesieve.maxScriptOctets = 100;
          c.outgoing.smtp = 'smtp://127.0.0.1:2525';
        },
        { manageSieveLimits: { unauthenticatedTimeoutMs: 1500, commandCompletionTimeoutMs: 1000 } },
      );
      await srv.addUser('lim@example.com', 'pw');
    });
    after(async () => srv.close());

    it('offers no SASL mechanism before STARTTLS and refuses PLAIN with ENCRYPT-NEEDED; offers vacation with a relay', async () => {
      const c = await ManageSieveClient.connect(srv.managesievePort);
      assert.deepEqual(c.greetingLines, [...caps({ sasl: false, starttls: true, vacation: true }), 'OK "Letterbox ready."']);
      assert.deepEqual(await c.command(`AUTHENTICATE "PLAIN" "${plain('lim@example.com')}"`), [
        'NO (ENCRYPT-NEEDED) "Plaintext authentication disallowed on non-secure connections. Use STARTTLS first."',
      ]);
      const tls = await c.starttls(srv.cert);
      assert.deepEqual(tls.capabilities, [...caps({ sasl: true, starttls: false, vacation: true }), 'OK "TLS negotiation successful."']);
      assert.deepEqual(await c.command(`AUTHENTICATE "PLAIN" "${plain('lim@example.com')}"`), ['OK "Logged in."']);
      const vacation = 'require "vacation";\r\nvacation "I am away.";\r\n';
      assert.deepEqual(await c.command(`CHECKSCRIPT {${vacation.length}+}\r\n${vacation}`), ['OK "Script is valid."']);
      c.close();
    });

    it('answers QUOTA/MAXSIZE and QUOTA/MAXSCRIPTS, skipping a literal over the limit and going on', async () => {
      const c = await ManageSieveClient.connect(srv.managesievePort);
      await c.starttls(srv.cert);
      assert.deepEqual(await c.command(`AUTHENTICATE "PLAIN" "${plain('lim@example.com')}"`), ['OK "Logged in."']);
      const big = `# ${'x'.repeat(200)}\r\nkeep;\r\n`;
      const exchanges: Array<[string, string[]]> = [
        ['HAVESPACE "a" 101', ['NO (QUOTA/MAXSIZE) "Script is larger than 100 octets."']],
        ['HAVESPACE "a" 100', ['OK "Putscript would succeed."']],
        // Over the literal limit: read to its end without being kept.
        [`PUTSCRIPT "a" {${big.length}+}\r\n${big}`, ['NO (QUOTA/MAXSIZE) "Script is larger than 100 octets."']],
        [`CHECKSCRIPT {${big.length}+}\r\n${big}`, ['NO (QUOTA/MAXSIZE) "Script is larger than 100 octets."']],
        [`PUTSCRIPT "a" "${'#'.repeat(101)}"`, ['NO (QUOTA/MAXSIZE) "Script is larger than 100 octets."']],
        ['PUTSCRIPT "a" "keep;"', ['OK "Putscript completed."']],
        ['PUTSCRIPT "b" "keep;"', ['OK "Putscript completed."']],
        ['HAVESPACE "c" 10', ['NO (QUOTA/MAXSCRIPTS) "Too many scripts: at most 2."']],
        ['HAVESPACE "b" 10', ['OK "Putscript would succeed."']],
        ['PUTSCRIPT "c" "keep;"', ['NO (QUOTA/MAXSCRIPTS) "Too many scripts: at most 2."']],
        ['PUTSCRIPT "b" "discard;"', ['OK "Putscript completed."']],
        ['LISTSCRIPTS', ['"a"', '"b"', 'OK "Listscripts completed."']],
      ];
      for (const [command, expected] of exchanges) assert.deepEqual(await c.command(command), expected, command.slice(0, 40));
      c.close();
    });

    it('says BYE to an idle client and to one whose command does not complete', async () => {
      const idle = await ManageSieveClient.connect(srv.managesievePort);
      assert.deepEqual(await idle.readResponse(5000), ['BYE "Autologout; idle for too long."']);
      assert.ok(await idle.closedByServer());
      const slow = await ManageSieveClient.connect(srv.managesievePort);
      slow.write('PUTSCRIPT "a" {100+}\r\nkeep;');
      assert.deepEqual(await slow.readResponse(5000), ['BYE "Command not completed in time."']);
      assert.ok(await slow.closedByServer());
    });
  });
}
