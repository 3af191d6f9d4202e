/**
 * imapflowClient builds an imapflow client for a test server: the server's own certificate trusted for
 * "localhost", no logger and no automatic IDLE, so every command a test sees is one it asked for.
 */
import { ImapFlow } from 'imapflow';

type ImapFlowOptions = ConstructorParameters<typeof ImapFlow>[0];

/** ImapflowTarget is what the factory needs of a TestServer: its ports and certificate. */
export interface ImapflowTarget {
  imapPort: number;
  imapsPort: number;
  cert: string;
}

/**
 * imapflowClient returns an unconnected client logging in as `user` with `pass`: over implicit TLS on
 * imapsPort (`mode` "tls", the default), STARTTLS or plain text on imapPort. `extra` adds or overrides
 * options (e.g. `qresync: true`, a logger, clientInfo).
 */
export function imapflowClient(
  srv: ImapflowTarget,
  user: string,
  pass: string,
  mode: 'tls' | 'starttls' | 'plain' = 'tls',
  extra: Partial<ImapFlowOptions> = {},
): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: mode === 'tls' ? srv.imapsPort : srv.imapPort,
    secure: mode === 'tls',
    doSTARTTLS: mode === 'starttls' ? true : undefined,
    tls: { ca: [srv.cert], servername: 'localhost' },
    auth: { user, pass },
    logger: false,
    disableAutoIdle: true,
    ...extra,
  } as ImapFlowOptions);
}
