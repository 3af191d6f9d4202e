/**
 * The admin HTTP listener (config admin.host/admin.port, --admin-port; off by default): GET /health answers
 * 200 when every listener and the store are ready and 503 otherwise (starting, stopping, the database
 * unreachable), with a JSON body saying which check failed; GET /metrics answers the Prometheus text
 * exposition. Nothing else, and nothing that changes state: keep it on loopback or a private network.
 * Imports (src/admin): node:http and the metrics types only (eslint.config.js holds it).
 */
import http from 'node:http';
import type { Logger } from 'pino';

/** Health is the outcome of the readiness checks: every check's name with "ok" or what is wrong. */
export interface Health {
  ok: boolean;
  checks: Record<string, string>;
}

/** AdminOptions: where to listen, and the functions that answer. */
export interface AdminOptions {
  host: string;
  port: number;
  health: () => Promise<Health>;
  /** The exposition, or null while metrics are not available yet. */
  metrics: () => Promise<{ body: string; contentType: string } | null>;
  log: Logger;
}

/** RunningAdmin is a started admin listener. */
export interface RunningAdmin {
  address: { host: string; port: number };
  close(): Promise<void>;
}

/**
 * startAdminServer listens on host:port and resolves once bound. Rejects with the Node error (EADDRINUSE,
 * EACCES; `.port` and `.admin` set) when it cannot bind.
 */
export async function startAdminServer(opts: AdminOptions): Promise<RunningAdmin> {
  const server = http.createServer((req, res) => {
    void answer(req, res, opts).catch((err: unknown) => {
      opts.log.error({ err }, 'admin request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  // Scrapers keep connections open; they must not hold up a shutdown.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException & { port?: number; admin?: boolean }): void => {
      err.port = opts.port;
      err.admin = true;
      reject(err);
    };
    server.once('error', onError);
    server.listen(opts.port, opts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => opts.log.warn({ err: err.message }, 'admin listener error'));
  const a = server.address() as { address: string; port: number };
  return {
    address: { host: a.address, port: a.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(req: http.IncomingMessage, res: http.ServerResponse, opts: AdminOptions): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  if (path === '/health') {
    const h = await opts.health();
    res.writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unavailable', checks: h.checks }) + '\n');
    return;
  }
  if (path === '/metrics') {
    const m = await opts.metrics();
    if (!m) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('starting\n');
      return;
    }
    res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' });
    res.end(m.body);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /health or /metrics\n');
}
