/**
 * Shared helpers for the Sieve tests: a message from header lines and a body, a SieveEnvironment over
 * plain maps (the interpreter's own input, not a stand-in for a real part), and run() that compiles and runs.
 */
import { compileSieve, runSieve, type SieveEnvironment, type SieveEnvelope, type SieveMessage, type SieveResult } from '../../src/sieve/index.js';

/** NOW is the delivery time the tests use: Tue, 3 Mar 2026 10:20:30 UTC. */
export const NOW = Date.UTC(2026, 2, 3, 10, 20, 30);

/** message builds a CRLF message from header lines and a body. */
export function message(headers: string[], body = 'Hello.\r\n', envelope: Partial<SieveEnvelope> = {}): SieveMessage {
  const raw = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
  return { raw, envelope: { from: 'coyote@desert.example.org', to: 'roadrunner@acme.example.com', ...envelope }, now: NOW };
}

/** FakeEnv is a SieveEnvironment over maps, recording what was asked. */
export interface FakeEnv extends SieveEnvironment {
  mailboxes: Set<string>;
  scripts: Map<string, string>;
  seen: Set<string>;
  asked: string[];
}

/** fakeEnv makes a FakeEnv; scripts are keyed "personal:name" / "global:name". */
export function fakeEnv(init: { mailboxes?: string[]; scripts?: Record<string, string>; seen?: string[]; userAddresses?: string[] } = {}): FakeEnv {
  const env: FakeEnv = {
    userAddresses: init.userAddresses ?? ['roadrunner@acme.example.com'],
    mailboxes: new Set(init.mailboxes ?? ['INBOX']),
    scripts: new Map(Object.entries(init.scripts ?? {})),
    seen: new Set(init.seen ?? []),
    asked: [],
    timeZone: '+0000',
    mailboxExists(name) {
      env.asked.push(`mailbox:${name}`);
      return Promise.resolve(env.mailboxes.has(name));
    },
    loadScript(name, location) {
      env.asked.push(`load:${location}:${name}`);
      return Promise.resolve(env.scripts.get(`${location}:${name}`) ?? null);
    },
    duplicateSeen(key) {
      env.asked.push(`duplicate:${key}`);
      return Promise.resolve(env.seen.has(key));
    },
  };
  return env;
}

/** run compiles `script` (outgoing allowed) and runs it on `msg`. */
export async function run(script: string, msg: SieveMessage = message(['Subject: hi']), env: SieveEnvironment = fakeEnv()): Promise<SieveResult> {
  return runSieve(compileSieve(script, { outgoing: true }), msg, env);
}

/** brief lists the actions as short strings ("keep", "fileinto:Box", "redirect:a@b", ...) for exact asserts. */
export function brief(r: SieveResult): string[] {
  return r.actions.map((a) => {
    switch (a.type) {
      case 'keep': return a.flags.length > 0 ? `keep[${a.flags.join(' ')}]` : 'keep';
      case 'fileinto': return `fileinto:${a.mailbox}${a.flags.length > 0 ? `[${a.flags.join(' ')}]` : ''}${a.copy ? ':copy' : ''}${a.create ? ':create' : ''}`;
      case 'redirect': return `redirect:${a.address}${a.copy ? ':copy' : ''}`;
      case 'discard': return 'discard';
      case 'reject': return `${a.ereject ? 'ereject' : 'reject'}:${a.reason}`;
      case 'vacation': return `vacation:${a.to}`;
    }
  });
}

/** actionsOf runs and returns brief(). */
export async function actionsOf(script: string, msg?: SieveMessage, env?: SieveEnvironment): Promise<string[]> {
  return brief(await run(script, msg, env));
}
