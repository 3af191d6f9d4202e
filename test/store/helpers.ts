/**
 * Helpers for the store suite: test messages, error assertions and the per-test harness.
 */
import assert from 'node:assert/strict';
import { prepareMessage } from '../../src/delivery/prepare.js';
import { StoreError, type NewMessage, type Store, type StoreErrorKind } from '../../src/store/types.js';

/** Opened is what a backend's opener returns: a fresh, empty store, and how to remove it. */
export interface Opened {
  store: Store;
  cleanup: () => Promise<void>;
  /** openSecond opens another connection to the same data (another process, as far as the store can tell). */
  openSecond?: () => Promise<Store>;
}

/** Ctx gives each test the store opened for it. */
export interface Ctx {
  readonly store: Store;
  readonly opened: Opened;
}

/** rejectsWith asserts that `p` rejects with a StoreError of `kind`. */
export async function rejectsWith(p: Promise<unknown>, kind: StoreErrorKind): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected StoreError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    return true;
  });
}

/** DATE is the default internal date of test messages (ms since epoch). */
export const DATE = Date.UTC(2024, 0, 15, 12, 0, 0);

let counter = 0;

/** rawMessage builds a small RFC 5322 message with CRLF line endings. */
export function rawMessage(subject: string, body = `Body of ${subject}.`): Buffer {
  counter++;
  return Buffer.from(
    [
      'From: Alice Example <alice@example.com>',
      'To: bob@example.com',
      `Subject: ${subject}`,
      'Date: Mon, 15 Jan 2024 10:00:00 +0000',
      `Message-ID: <m${counter}@example.com>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
  );
}

/** message is a test message with subject `subject`, prepared as every delivery path prepares it. */
export function message(subject: string, flags: string[] = [], internalDate = DATE, body?: string): NewMessage {
  return prepareMessage(rawMessage(subject, body), flags, internalDate);
}

/** newAccount creates an account and returns its id and INBOX id. */
export async function newAccount(store: Store, email = 'alice@example.com'): Promise<{ accountId: number; inbox: number }> {
  const account = await store.createAccount(email, '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA');
  const inbox = await store.getMailbox(account.id, 'INBOX');
  assert.ok(inbox);
  return { accountId: account.id, inbox: inbox.id };
}

/** mailboxId returns the id of the named mailbox, failing the test if it does not exist. */
export async function mailboxId(store: Store, accountId: number, name: string): Promise<number> {
  const mb = await store.getMailbox(accountId, name);
  assert.ok(mb, `mailbox ${name} should exist`);
  return mb.id;
}

/** waitFor resolves when `predicate` holds, polling every 10 ms; rejects after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** LATIN1_HEADERS is a message whose Subject and From hold 8-bit bytes that are not UTF-8 (ISO-8859-1 "café", "Jörg"). */
export const LATIN1_HEADERS = Buffer.from('Subject: caf\xe9\r\nFrom: J\xf6rg <j@x.test>\r\n\r\nx\r\n', 'latin1');

/**
 * asStoredBeforeRawOctets turns stored JSON into what Letterbox stored before header bytes were kept raw:
 * each raw octet (written by JSON.stringify as \\udcXX) as the ISO-8859-1 character of that byte.
 */
export function asStoredBeforeRawOctets(json: string): string {
  return json.replace(/\\udc([89a-f][0-9a-f])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
