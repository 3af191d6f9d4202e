/**
 * The config file format (YAML or TOML, snake_case keys) as a zod schema, with defaults, and the
 * translation of zod issues into one-line messages that name the key. letterbox.example.yaml documents it.
 */
import { z } from 'zod';
import { DEFAULTS as D, isPostgresUrl, isSmtpUrl, LOG_FORMATS, LOG_LEVELS, MAX_WORKERS } from './defaults.js';
import { parseSize } from './size.js';

const PORT_MSG = 'expected a number from 0 to 65535';
const port = z
  .number({ error: PORT_MSG })
  .int({ error: PORT_MSG })
  .min(0, { error: PORT_MSG })
  .max(65535, { error: PORT_MSG });

const nonEmpty = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}, not an empty string` });

export { isPostgresUrl };

const SECONDS_MSG = 'expected a number of seconds, 0 or more';
const seconds = z.number({ error: SECONDS_MSG }).min(0, { error: SECONDS_MSG }).max(86_400 * 365, { error: SECONDS_MSG });

const CONNECTIONS_MSG = 'expected a whole number of connections, at least 1';
const connections = z.number({ error: CONNECTIONS_MSG }).int({ error: CONNECTIONS_MSG }).min(1, { error: CONNECTIONS_MSG });

/**
 * mailService is the section of a client protocol (imap, pop3): listen address, cleartext port (with
 * STARTTLS/STLS) and implicit-TLS port, the plaintext-auth rule and the connection limits; the same keys
 * for both, with the protocol's standard ports as defaults.
 */
function mailService(d: typeof D.imap) {
  return z
    .strictObject({
      host: nonEmpty('an address such as 0.0.0.0, 127.0.0.1 or ::').default(d.host),
      port: port.default(d.port),
      tls_port: port.default(d.tls_port),
      plaintext_auth: z.enum(['loopback', 'always', 'never'], { error: 'expected one of loopback, always, never' }).default(d.plaintext_auth),
      max_connections: connections.default(d.max_connections),
      max_connections_per_ip: connections.default(d.max_connections_per_ip),
      max_connections_per_user_ip: connections.default(d.max_connections_per_user_ip),
    })
    .prefault({});
}

/** sizeOrNull is a size in octets written as a number or a string such as "64K" (size.ts), or null. */
function sizeOrNull(message: string) {
  return z
    .union([z.string(), z.number()], { error: message })
    .nullable()
    .transform((v, ctx) => {
      if (v === null) return null;
      try {
        return parseSize(String(v));
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    });
}

/** FileConfigSchema validates a parsed config file; unknown keys are errors (a typo must not be silently ignored). */
export const FileConfigSchema = z.strictObject({
  data_dir: nonEmpty('a directory path').default(D.data_dir),
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
  imap: mailService(D.imap),
  pop3: mailService(D.pop3),
  managesieve: z
    .strictObject({
      host: nonEmpty('an address such as 0.0.0.0, 127.0.0.1 or ::').default(D.managesieve.host),
      port: port.default(D.managesieve.port),
      plaintext_auth: z.enum(['loopback', 'always', 'never'], { error: 'expected one of loopback, always, never' }).default(D.managesieve.plaintext_auth),
      max_connections: connections.default(D.managesieve.max_connections),
      max_connections_per_ip: connections.default(D.managesieve.max_connections_per_ip),
      max_connections_per_user_ip: connections.default(D.managesieve.max_connections_per_user_ip),
      max_scripts: z
        .number({ error: 'expected a whole number of scripts, at least 1' })
        .int({ error: 'expected a whole number of scripts, at least 1' })
        .min(1, { error: 'expected a whole number of scripts, at least 1' })
        .default(D.managesieve.max_scripts),
      max_script_size: sizeOrNull('expected a size such as 64K, or null for the Sieve interpreter\'s limit').default(D.managesieve.max_script_size),
    })
    .prefault({}),
  outgoing: z
    .strictObject({
      smtp: z
        .string({ error: 'expected an smtp://host:port or smtps://host:port URL, or null' })
        .refine(isSmtpUrl, { error: 'expected an smtp://host:port or smtps://host:port URL, or null' })
        .nullable()
        .default(D.outgoing.smtp),
    })
    .prefault({}),
  lmtp: z
    .strictObject({
      host: nonEmpty('an address such as 127.0.0.1 or ::1').default(D.lmtp.host),
      port: port.default(D.lmtp.port),
      // null: <data_dir>/lmtp.sock; "none": no socket.
      socket: nonEmpty('a unix socket path, or "none"').nullable().default(D.lmtp.socket),
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
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default(D.log.level),
      format: z.enum(LOG_FORMATS, { error: `expected one of ${LOG_FORMATS.join(', ')}` }).default(D.log.format),
      // null: standard output (journald under systemd).
      file: nonEmpty('a log file path, or null for standard output').nullable().default(D.log.file),
    })
    .prefault({}),
  admin: z
    .strictObject({
      host: nonEmpty('an address such as 127.0.0.1').default(D.admin.host),
      port: port.default(D.admin.port),
    })
    .prefault({}),
  serve: z
    .strictObject({
      workers: z
        .union([z.literal('auto'), z.number().int().min(1).max(MAX_WORKERS)], { error: `expected "auto" or a whole number of worker processes from 1 to ${MAX_WORKERS}` })
        .default(D.serve.workers),
    })
    .prefault({}),
  auth: z
    .strictObject({
      penalty_delay: seconds.default(D.auth.penalty_delay),
      penalty_max_delay: seconds.default(D.auth.penalty_max_delay),
      penalty_expire: seconds.default(D.auth.penalty_expire),
    })
    .prefault({}),
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
