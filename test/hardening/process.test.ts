/**
 * Signals to a real `letterbox serve` process: SIGHUP reloads the TLS certificate without dropping
 * sessions (993 and STARTTLS, 995 and STLS), and SIGTERM shuts down gracefully: no new connections, the running
 * command finishes with its tagged reply, every session gets `* BYE`, the process exits 0.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import selfsigned from 'selfsigned';
import { runCli } from '../support/cli.js';
import { Pop3Client, RawClient } from '../support/line-client.js';
import { append, login, exchange } from '../support/transcript.js';
import { startServe, type ServeProcess } from '../support/server.js';

async function certFor(cn: string): Promise<{ key: string; cert: string }> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: cn }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  } as never);
  return { key: pems.private, cert: pems.cert };
}

/** peerSubject connects over TLS (trusting `ca`) and returns the CN of the certificate the server shows. */
function peerSubject(port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const cert = s.getPeerX509Certificate();
      s.destroy();
      resolve(cert ? cert.subject : 'none');
    });
    s.once('error', reject);
  });
}

/** WORKERS: the worker processes these tests run, whatever the machine's default: the primary must pass signals on to each. */
const WORKERS = 2;

/**
 * reloadedByEveryWorker waits until every one of the WORKERS worker processes of `srv` (the primary passes
 * SIGHUP on to each) has logged "TLS certificate reloaded" (once each) after output offset `mark`: a new
 * connection may be handed to any of them.
 */
async function reloadedByEveryWorker(srv: ServeProcess, mark: number): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    const lines = srv.output().slice(mark).split('\n').filter((l) => l.includes('TLS certificate reloaded'));
    if (lines.length >= WORKERS) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`not every one of ${WORKERS} workers logged "TLS certificate reloaded" within 30 s`);
}

describe('letterbox serve signals', { timeout: 120_000 }, () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lb-signals-'));
    assert.equal((await runCli(['user', 'add', 'alice@example.com', '--password-stdin', '--data-dir', dataDir], 'pw\n')).code, 0);
  });
  after(async () => rm(dataDir, { recursive: true, force: true }));

  it('SIGHUP reloads the certificate: open sessions go on, new connections (993 and STARTTLS, 995 and STLS) see the new one', async () => {
    const [first, second] = [await certFor('first.example'), await certFor('second.example')];
    const certFile = path.join(dataDir, 'cert.pem');
    const keyFile = path.join(dataDir, 'key.pem');
    await writeFile(certFile, first.cert);
    await writeFile(keyFile, first.key);
    const ca = [first.cert, second.cert];
    const srv = await startServe(dataDir, { extraYaml: `serve:\n  workers: ${WORKERS}\ntls:\n  cert: ${JSON.stringify(certFile)}\n  key: ${JSON.stringify(keyFile)}\n`, pop3: true });
    try {
      assert.equal(await peerSubject(srv.imapsPort, ca), 'CN=first.example');
      assert.equal(await peerSubject(srv.pop3sPort, ca), 'CN=first.example');
      const old = await login(srv.imapsPort, 'alice@example.com', { tlsCa: ca.join('\n') });
      const oldPlain = await login(srv.imapPort, 'alice@example.com');

      await writeFile(certFile, second.cert);
      await writeFile(keyFile, second.key);
      const mark = srv.output().length;
      srv.proc.kill('SIGHUP');
      await reloadedByEveryWorker(srv, mark);

      assert.equal(await peerSubject(srv.imapsPort, ca), 'CN=second.example');
      const starttls = await RawClient.connect(srv.imapPort);
      await exchange(starttls, 's', 'STARTTLS', ['s OK Begin TLS negotiation now']);
      await starttls.startTls(ca.join('\n'));
      const peer = (starttls.socket as tls.TLSSocket).getPeerX509Certificate() as X509Certificate;
      assert.equal(peer.subject, 'CN=second.example');
      await exchange(starttls, 'n', 'NOOP', ['n OK NOOP completed']);
      assert.equal(await peerSubject(srv.pop3sPort, ca), 'CN=second.example');
      const stls = await Pop3Client.connect(srv.pop3Port);
      assert.equal(await stls.stls(ca.join('\n')), '+OK Begin TLS negotiation now.');
      assert.equal((stls.socket as tls.TLSSocket).getPeerX509Certificate()?.subject, 'CN=second.example');
      stls.close();
      await exchange(old, 'n', 'NOOP', ['n OK NOOP completed']);
      await exchange(oldPlain, 'n', 'NOOP', ['n OK NOOP completed']);
      assert.equal((old.socket as tls.TLSSocket).getPeerX509Certificate()?.subject, 'CN=first.example');

      // A broken certificate file is refused and the server keeps the one it has.
      await writeFile(certFile, 'not a certificate');
      const mark2 = srv.output().length;
      srv.proc.kill('SIGHUP');
      await srv.waitForLog('TLS reload failed', mark2);
      assert.equal(await peerSubject(srv.imapsPort, ca), 'CN=second.example');
      for (const c of [old, oldPlain, starttls]) c.close();
    } finally {
      srv.proc.kill('SIGKILL');
      await srv.exited;
    }
  });

  it('SIGTERM: stops accepting, finishes the running command, says BYE to every session, exits 0', async () => {
    // The primary stops every worker, and each says BYE to its sessions.
    const srv = await startServe(dataDir, { extraYaml: `serve:\n  workers: ${WORKERS}` });
    try {
      const big = `Subject: big\r\n\r\n${'x'.repeat(1022).concat('\r\n').repeat(1024)}`;
      const writer = await login(srv.imapPort, 'alice@example.com');
      for (let i = 0; i < 4; i++) assert.match(await append(writer, `a${i}`, 'INBOX', big), /OK \[APPENDUID/);
      const idle = await login(srv.imapPort, 'alice@example.com');
      await idle.command('s', 'SELECT INBOX');
      idle.send('i IDLE');
      assert.equal(await idle.readLine(), '+ idling');
      // A session in the middle of AUTHENTICATE, waiting for the client's response.
      const authenticating = await RawClient.connect(srv.imapPort);
      authenticating.send('x AUTHENTICATE PLAIN');
      assert.equal(await authenticating.readLine(), '+ ');
      const fetcher = await login(srv.imapPort, 'alice@example.com');
      await fetcher.command('s', 'SELECT INBOX');
      // The client reads slowly: the FETCH is still being written when the signal comes.
      fetcher.socket.pause();
      fetcher.send('f FETCH 1:* BODY[]');
      await new Promise((r) => setTimeout(r, 300));
      srv.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      fetcher.socket.resume();

      const fetched = await fetcher.readUntilTagged('f', 20_000);
      assert.equal(fetched.length, 5);
      assert.equal(fetched.at(-1), 'f OK FETCH completed');
      assert.equal(await fetcher.readLine(), '* BYE Server shutting down.');
      assert.equal(await fetcher.closedByServer(5000), true);
      assert.equal(await writer.readLine(), '* BYE Server shutting down.');
      assert.equal(await writer.closedByServer(5000), true);
      // The IDLE session saw the FETCH set \Seen on the messages before the BYE (it selected first: they are
      // \Recent in it).
      let line = await idle.readLine();
      while (/^\* \d+ FETCH \(UID \d+ FLAGS \(\\Seen \\Recent\)\)$/.test(line)) line = await idle.readLine();
      assert.equal(line, '* BYE Server shutting down.');
      assert.equal(await idle.closedByServer(5000), true);
      assert.equal(await authenticating.readLine(), '* BYE Server shutting down.');
      assert.equal(await authenticating.closedByServer(5000), true);
      assert.equal(await srv.exited, 0);
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = net.connect(srv.imapPort, '127.0.0.1', () => resolve(s.destroy()));
          s.once('error', reject);
        }),
        /ECONNREFUSED/,
      );
    } finally {
      srv.proc.kill('SIGKILL');
    }
  });
});
