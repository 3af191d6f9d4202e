/**
 * The config file format (YAML or TOML, snake_case keys) as a zod schema, with defaults, and the
 * translation of zod issues into one-line messages that name the key. letterbox.example.yaml documents it.
 */
import { z } from 'zod';
import { LOG_LEVELS } from '../log/logger.js';
import { parseSize } from './size.js';
import { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, MAX_CONNECTIONS_PER_USER_IP } from '../protocol/limits.js';

const PORT_MSG = 'expected a number from 0 to 65535';
const port = z
  .number({ error: PORT_MSG })
  .int({ error: PORT_MSG })
  .min(0, { error: PORT_MSG })
  .max(65535, { error: PORT_MSG });

const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, not an empty string` });

const levels = LOG_LEVELS as unknown as readonly ['info', ...Array<(typeof LOG_LEVELS)[number]>];

/** isPostgresUrl tells whether `s` is a postgres:// or postgresql:// URL. */
export function isPostgresUrl(s: string): boolean {
  return /^postgres(ql)?:\/\/./.test(s);
}

const CONNECTIONS_MSG = 'expected a whole number of connections, at least 1';
const connections = z.number({ error: CONNECTIONS_MSG }).int({ error: CONNECTIONS_MSG }).min(1, { error: CONNECTIONS_MSG });

/**
 * mailService is the section of a client protocol (imap, pop3): listen address, cleartext port (with
 * STARTTLS/STLS) and implicit-TLS port, the plaintext-auth rule and the connection limits; the same keys
 * for both, with the protocol's standard ports as defaults.
 */
function mailService(cleartextPort: number, tlsPort: number) {
  return z
    .strictObject({
      host: nonEmpty('an address such as 0.0.0.0, 127.0.0.1 or ::').default('0.0.0.0'),
      port: port.default(cleartextPort),
      tls_port: port.default(tlsPort),
      plaintext_auth: z.enum(['loopback', 'always', 'never'], { error: 'expected one of loopback, always, never' }).default('loopback'),
      max_connections: connections.default(MAX_CONNECTIONS),
      max_connections_per_ip: connections.default(MAX_CONNECTIONS_PER_IP),
      max_connections_per_user_ip: connections.default(MAX_CONNECTIONS_PER_USER_IP),
    })
    .prefault({});
}

/** FileConfigSchema validates a parsed config file; unknown keys are errors (a typo must not be silently ignored). */
export const FileConfigSchema = z.strictObject({
  data_dir: nonEmpty('a directory path').default('./data'),
  storage: z
    .discriminatedUnion(
      'kind',
      [
        z.strictObject({ kind: z.literal('sqlite') }),
        z.strictObject({
          kind: z.literal('postgres'),
          url: z.string({ error: 'expected a postgres://user:password@host:port/database URL' }).refine(isPostgresUrl, {
            error: 'expected a postgres://user:password@host:port/database URL',
          }),
        }),
      ],
      { error: 'expected kind: sqlite, or kind: postgres with a url' },
    )
    .prefault({ kind: 'sqlite' }),
  imap: mailService(143, 993),
  pop3: mailService(110, 995),
  lmtp: z
    .strictObject({
      host: nonEmpty('an address such as 127.0.0.1 or ::1').default('127.0.0.1'),
      port: port.default(24),
      // null: <data_dir>/lmtp.sock; "none": no socket.
      socket: nonEmpty('a unix socket path, or "none"').nullable().default(null),
    })
    .prefault({}),
  tls: z
    .strictObject({
      cert: nonEmpty('a PEM certificate file path').nullable().default(null),
      key: nonEmpty('a PEM private key file path').nullable().default(null),
    })
    .prefault({}),
  quota: z
    .strictObject({
      storage: z
        .union([z.string(), z.number()], { error: 'expected a size such as 10G, or null for no limit' })
        .nullable()
        .default(null)
        .transform((v, ctx) => {
          if (v === null) return null;
          try {
            return parseSize(String(v));
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
            return z.NEVER;
          }
        }),
      messages: z
        .number({ error: 'expected a whole number of messages, or null for no limit' })
        .int({ error: 'expected a whole number of messages, or null for no limit' })
        .min(0, { error: 'expected a whole number of messages, or null for no limit' })
        .nullable()
        .default(null),
    })
    .prefault({}),
  log: z.strictObject({ level: z.enum(levels, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info') }).prefault({}),
});

/** FileConfig is a validated config file, defaults filled in, paths not yet resolved. */
export type FileConfig = z.infer<typeof FileConfigSchema>;

/**
 * formatIssue renders one zod issue as `key.path: message`, e.g. `imap.port: expected a number from 0 to 65535`
 * or `imap.prot: unknown key (allowed: host, port, tls_port, plaintext_auth, max_connections, ...)`. `input` is the parsed file
 * (to tell a missing key from a wrong value).
 */
export function formatIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeys(FileConfigSchema, issue.path);
    const keys = issue.keys.map((k) => (where ? `${where}.${k}` : k)).join(', ');
    return `${keys}: unknown key${issue.keys.length > 1 ? 's' : ''}${allowed ? ` (allowed: ${allowed.join(', ')})` : ''}`;
  }
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    const value = valueAt(input, issue.path);
    if (value === undefined) message = 'missing';
    else if (message.startsWith('Invalid input')) message = `expected ${issue.expected === 'object' ? 'a mapping (key: value pairs)' : issue.expected}, got ${value === null ? 'null' : typeof value}`;
  }
  return `${where || '(top level)'}: ${message}`;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

/** allowedKeys walks the schema to the object at `path` and lists its keys, or null when it cannot. */
function allowedKeys(schema: unknown, path: PropertyKey[]): string[] | null {
  let node: unknown = schema;
  for (const seg of [...path, null]) {
    // Unwrap default/prefault/optional/nullable wrappers to reach the object.
    for (let i = 0; i < 5 && node && typeof node === 'object' && 'unwrap' in node && !('shape' in node); i++) {
      node = (node as { unwrap(): unknown }).unwrap();
    }
    if (!node || typeof node !== 'object' || !('shape' in node)) return null;
    const shape = (node as { shape: Record<string, unknown> }).shape;
    if (seg === null) return Object.keys(shape);
    node = shape[String(seg)];
  }
  return null;
}
