/**
 * startServerTls upgrades an accepted cleartext socket to TLS in place, for the commands that start TLS
 * inside a protocol: IMAP STARTTLS (RFC 9051 section 6.2.1) and POP3 STLS (RFC 2595 section 4). The
 * policy (versions, ciphers) is in the secure context the listeners build from policy.ts.
 */
import type net from 'node:net';
import tls from 'node:tls';

/**
 * startServerTls runs the server side of a TLS handshake over `socket` with `context` and resolves with
 * the TLS socket once the handshake succeeded, or with null when it failed or the peer went away (the
 * reason is passed to `onError` when there is one). Never rejects. The caller must stop reading `socket`
 * (remove its 'data' listeners) before calling, and read the returned socket instead.
 */
export async function startServerTls(socket: net.Socket, context: tls.SecureContext, onError?: (err: Error) => void): Promise<tls.TLSSocket | null> {
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
  await new Promise<void>((resolve) => {
    secure.once('secure', () => resolve());
    secure.once('error', (err) => {
      onError?.(err);
      resolve();
    });
    secure.once('close', () => resolve());
  });
  return secure.destroyed ? null : secure;
}
