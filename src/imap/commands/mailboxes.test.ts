/**
 * The mailbox commands (CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, STATUS, NAMESPACE)
 * run against an in-memory SQLite store through the real argument reader, with a minimal session.
 * Replies are rendered as the connection would: untagged lines, then `t OK|NO|BAD`.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { readCommandHead } from '../../protocol/args.js';
import { ParseError } from '../../protocol/types.js';
import { openSqliteStore } from '../../store/sqlite/store.js';
import type { Account, Store } from '../../store/types.js';
import { contextFor, type CommandSpec } from '../command.js';
import type { Session, SessionStatus } from '../session.js';
import { fromStoreError, ImapError } from '../errors.js';
import { SelectedMailbox } from '../selected.js';
import { readerOf } from '../../../test/support/protocol.js';
import { fakeSession } from '../../../test/support/session.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { listCommand } from './list.js';
import { lsubCommand } from './lsub.js';
import { namespaceCommand } from './namespace.js';
import { renameCommand } from './rename.js';
import { statusCommand } from './status.js';
import { subscribeCommand } from './subscribe.js';
import { unsubscribeCommand } from './unsubscribe.js';

const SPECS = new Map<string, CommandSpec<any>>(
  [createCommand, deleteCommand, renameCommand, subscribeCommand, unsubscribeCommand, listCommand, lsubCommand, statusCommand, namespaceCommand].map(
    (c) => [c.name, c],
  ),
);

interface Harness {
  store: Store;
  account: Account;
  session: Session;
  run(command: string): Promise<string[]>;
}

async function harness(opts: { utf8?: boolean } = {}): Promise<Harness> {
  const store = await openSqliteStore(':memory:');
  const account = await store.createAccount('alice@example.com', 'x');
  const session = fakeSession({ state: 'authenticated', store, account, rev2: opts.utf8 ?? false, utf8: opts.utf8 ?? false, capabilities: ['IMAP4rev2', 'IMAP4rev1', 'CONDSTORE'] });
  const run = async (command: string): Promise<string[]> => {
    session.untagged.length = 0;
    const lines: string[] = []; // the tagged reply
    try {
      const r = readerOf(`t ${command}`);
      const { name } = readCommandHead(r);
      const spec = SPECS.get(name);
      assert.ok(spec, name);
      const args = spec.parse(r, session);
      const text = await spec.run(contextFor(session, 't', false), args);
      lines.push(`t OK ${text ?? `${name} completed`}`);
    } catch (err) {
      if (err instanceof ParseError) lines.push(`t BAD ${err.message}`);
      else {
        const e = err instanceof ImapError ? err : fromStoreError(err);
        if (!e) throw err;
        lines.push(`t ${e.status} ${e.code ? `[${e.code}] ` : ''}${e.message}`);
      }
    }
    // The untagged responses the command wrote, then its tagged reply.
    return [...session.untagged.map((t) => `* ${t}`), ...lines];
  };
  return { store, account, session, run };
}

/** Only the status word and code of the tagged line, for refusals. */
function tagged(lines: string[]): string {
  return lines.at(-1)!.replace(/^(t (?:OK|NO|BAD)(?: \[[A-Z-]+\])?).*$/, '$1');
}

const DEFAULT_LIST = [
  '* LIST (\\HasNoChildren) "/" INBOX',
  '* LIST (\\HasNoChildren \\Archive) "/" Archive',
  '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
  '* LIST (\\HasNoChildren \\Junk) "/" Junk',
  '* LIST (\\HasNoChildren \\Sent) "/" Sent',
  '* LIST (\\HasNoChildren \\Trash) "/" Trash',
];

describe('mailbox commands', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  describe('NAMESPACE and LIST "" ""', () => {
    it('NAMESPACE has one personal namespace', async () => {
      assert.deepEqual(await h.run('NAMESPACE'), ['* NAMESPACE (("" "/")) NIL NIL', 't OK NAMESPACE completed']);
    });
    it('LIST "" "" gives the delimiter', async () => {
      assert.deepEqual(await h.run('LIST "" ""'), ['* LIST (\\Noselect) "/" ""', 't OK LIST completed']);
    });
  });

  describe('CREATE', () => {
    it('creates, with missing parents, and drops a trailing delimiter', async () => {
      assert.deepEqual(await h.run('CREATE a/b/c'), ['t OK [MAILBOXID (F9)] CREATE completed']);
      assert.deepEqual(await h.run('CREATE x/'), ['t OK [MAILBOXID (F10)] CREATE completed']);
      assert.deepEqual(await h.run('LIST "" "a*"'), [
        '* LIST (\\HasChildren) "/" a',
        '* LIST (\\HasChildren) "/" a/b',
        '* LIST (\\HasNoChildren) "/" a/b/c',
        't OK LIST completed',
      ]);
      assert.deepEqual(await h.run('LIST "" x'), ['* LIST (\\HasNoChildren) "/" x', 't OK LIST completed']);
    });
    it('refuses INBOX, existing names and invalid names', async () => {
      assert.equal(tagged(await h.run('CREATE inbox')), 't NO [ALREADYEXISTS]');
      assert.equal(tagged(await h.run('CREATE Sent')), 't NO [ALREADYEXISTS]');
      assert.equal(tagged(await h.run('CREATE "a//b"')), 't NO [CANNOT]');
      assert.equal(tagged(await h.run('CREATE "/a"')), 't NO [CANNOT]');
      assert.equal(tagged(await h.run('CREATE "a/../b"')), 't NO [CANNOT]');
      assert.equal(tagged(await h.run('CREATE "a%"')), 't NO [CANNOT]');
      assert.equal(tagged(await h.run('CREATE a%')), 't BAD'); // not an astring
    });
    it('creates a child of INBOX', async () => {
      assert.deepEqual(await h.run('CREATE inbox/Sub'), ['t OK [MAILBOXID (F7)] CREATE completed']);
      assert.deepEqual(await h.run('LIST "" INBOX*'), [
        '* LIST (\\HasChildren) "/" INBOX',
        '* LIST (\\HasNoChildren) "/" INBOX/Sub',
        't OK LIST completed',
      ]);
    });
    it('takes RFC 6154 USE', async () => {
      assert.deepEqual(await h.run('CREATE MySent (USE (\\Sent))'), ['t OK [MAILBOXID (F7)] CREATE completed']);
      assert.deepEqual(await h.run('LIST "" MySent'), ['* LIST (\\HasNoChildren \\Sent) "/" MySent', 't OK LIST completed']);
      assert.deepEqual(await h.run('CREATE Plain (USE ())'), ['t OK [MAILBOXID (F8)] CREATE completed']);
      assert.equal(tagged(await h.run('CREATE X1 (USE (\\Bogus))')), 't NO [USEATTR]');
      assert.equal(tagged(await h.run('CREATE X2 (USE (\\All))')), 't NO [USEATTR]');
      assert.equal(tagged(await h.run('CREATE X3 (USE (\\Sent \\Trash))')), 't NO [USEATTR]');
      assert.equal(tagged(await h.run('CREATE X4 (FOO 1)')), 't BAD');
      assert.deepEqual(await h.run('LIST "" X*'), ['t OK LIST completed']);
    });
    it('decodes modified UTF-7 and answers in it', async () => {
      assert.deepEqual(await h.run('CREATE "&AMQ-pfel"'), ['t OK [MAILBOXID (F7)] CREATE completed']);
      assert.ok(await h.store.getMailbox(h.account.id, 'Äpfel'));
      assert.deepEqual(await h.run('LIST "" "&AMQ-*"'), ['* LIST (\\HasNoChildren) "/" &AMQ-pfel', 't OK LIST completed']);
    });
  });

  describe('DELETE', () => {
    it('refuses INBOX and unknown names', async () => {
      assert.equal(tagged(await h.run('DELETE inbox')), 't NO [CANNOT]');
      assert.equal(tagged(await h.run('DELETE nope')), 't NO [NONEXISTENT]');
    });
    it('deletes a mailbox with children: the name stays as \\Noselect', async () => {
      await h.run('CREATE a/b');
      assert.deepEqual(await h.run('DELETE a'), ['t OK DELETE completed']);
      assert.deepEqual(await h.run('LIST "" a*'), [
        '* LIST (\\Noselect \\HasChildren) "/" a',
        '* LIST (\\HasNoChildren) "/" a/b',
        't OK LIST completed',
      ]);
      assert.deepEqual(await h.run('LIST () "" a*'), [
        '* LIST (\\NonExistent \\HasChildren) "/" a',
        '* LIST (\\HasNoChildren) "/" a/b',
        't OK LIST completed',
      ]);
      assert.equal(tagged(await h.run('DELETE a')), 't NO [HASCHILDREN]');
      assert.equal(tagged(await h.run('STATUS a (MESSAGES)')), 't NO [NONEXISTENT]');
      assert.deepEqual(await h.run('DELETE a/b'), ['t OK DELETE completed']);
      assert.deepEqual(await h.run('LIST "" a*'), ['t OK LIST completed']);
    });
    it('ends the selection when the selected mailbox is deleted', async () => {
      const box = (await h.store.getMailbox(h.account.id, 'Junk'))!;
      h.session.select(new SelectedMailbox(box, false, []));
      await h.run('DELETE Junk');
      assert.equal(h.session.state, 'authenticated');
    });
  });

  describe('RENAME', () => {
    it('moves children and keeps UIDVALIDITY; creates parents of the target', async () => {
      await h.run('CREATE a/b');
      const v = (await h.store.getMailbox(h.account.id, 'a/b'))!.uidValidity;
      assert.deepEqual(await h.run('RENAME a p/q'), ['t OK RENAME completed']);
      assert.deepEqual(await h.run('LIST "" p*'), [
        '* LIST (\\HasChildren) "/" p',
        '* LIST (\\HasChildren) "/" p/q',
        '* LIST (\\HasNoChildren) "/" p/q/b',
        't OK LIST completed',
      ]);
      assert.equal((await h.store.getMailbox(h.account.id, 'p/q/b'))!.uidValidity, v);
    });
    it('refuses what RFC 9051 section 6.3.6 calls errors', async () => {
      await h.run('CREATE a/b');
      assert.equal(tagged(await h.run('RENAME nope x')), 't NO [NONEXISTENT]');
      assert.equal(tagged(await h.run('RENAME nope nope')), 't NO [NONEXISTENT]');
      assert.equal(tagged(await h.run('RENAME nope nope/x')), 't NO [NONEXISTENT]');
      assert.equal(tagged(await h.run('RENAME a a')), 't NO [ALREADYEXISTS]');
      assert.equal(tagged(await h.run('RENAME a Sent')), 't NO [ALREADYEXISTS]');
      assert.equal(tagged(await h.run('RENAME Sent inbox')), 't NO [ALREADYEXISTS]');
      assert.equal(tagged(await h.run('RENAME a a/b/c')), 't NO [CANNOT]');
      assert.equal(tagged(await h.run('RENAME a "x//y"')), 't NO [CANNOT]');
      await h.run('CREATE z/b');
      await h.run('DELETE z');
      assert.equal(tagged(await h.run('RENAME a z')), 't NO [ALREADYEXISTS]');
    });
    it('renames INBOX (the store moves its messages) and a level that is not a mailbox', async () => {
      assert.deepEqual(await h.run('RENAME INBOX INBOX/old'), ['t OK RENAME completed']);
      assert.ok(await h.store.getMailbox(h.account.id, 'INBOX/old'));
      assert.ok(await h.store.getMailbox(h.account.id, 'INBOX'));
      await h.run('CREATE a/b/c');
      await h.run('DELETE a');
      assert.deepEqual(await h.run('RENAME a z'), ['t OK RENAME completed']);
      assert.deepEqual(await h.run('LIST "" *'), [
        '* LIST (\\HasChildren) "/" INBOX',
        ...DEFAULT_LIST.slice(1, 3),
        '* LIST (\\HasNoChildren) "/" INBOX/old',
        ...DEFAULT_LIST.slice(3),
        '* LIST (\\Noselect \\HasChildren) "/" z',
        '* LIST (\\HasChildren) "/" z/b',
        '* LIST (\\HasNoChildren) "/" z/b/c',
        't OK LIST completed',
      ]);
    });
    it('marks a selected INBOX changed when its messages move, so EXPUNGE is sent before the tagged OK', async () => {
      const inbox = (await h.store.getMailbox(h.account.id, 'INBOX'))!;
      h.session.select(new SelectedMailbox(inbox, false, []));
      assert.deepEqual(await h.run('RENAME INBOX Old'), ['t OK RENAME completed']);
      assert.equal((h.session as unknown as { changed?: boolean }).changed, true);
    });
    it('follows the selected mailbox and moves subscriptions', async () => {
      await h.run('CREATE a/b');
      await h.run('SUBSCRIBE a/b');
      const box = (await h.store.getMailbox(h.account.id, 'a/b'))!;
      const view = new SelectedMailbox(box, false, []);
      h.session.select(view);
      await h.run('RENAME a c');
      assert.equal(view.mailbox.name, 'c/b');
      assert.ok((await h.store.listSubscriptions(h.account.id)).includes('c/b'));
      assert.ok(!(await h.store.listSubscriptions(h.account.id)).includes('a/b'));
    });
  });

  describe('SUBSCRIBE, UNSUBSCRIBE, LSUB', () => {
    it('SUBSCRIBE needs an existing mailbox; UNSUBSCRIBE of anything is OK', async () => {
      assert.equal(tagged(await h.run('SUBSCRIBE nope')), 't NO [NONEXISTENT]');
      assert.deepEqual(await h.run('UNSUBSCRIBE nope'), ['t OK UNSUBSCRIBE completed']);
      assert.deepEqual(await h.run('UNSUBSCRIBE Junk'), ['t OK UNSUBSCRIBE completed']);
      assert.deepEqual(await h.run('UNSUBSCRIBE Junk'), ['t OK UNSUBSCRIBE completed']);
      assert.deepEqual(await h.run('LSUB "" *'), [
        '* LSUB () "/" INBOX',
        '* LSUB (\\Archive) "/" Archive',
        '* LSUB (\\Drafts) "/" Drafts',
        '* LSUB (\\Sent) "/" Sent',
        '* LSUB (\\Trash) "/" Trash',
        't OK LSUB completed',
      ]);
    });
    it('LSUB "%" shows an unsubscribed parent as \\Noselect; "*" does not', async () => {
      await h.run('CREATE foo/bar');
      await h.run('SUBSCRIBE foo/bar');
      assert.deepEqual(await h.run('LSUB "" f%'), ['* LSUB (\\Noselect) "/" foo', 't OK LSUB completed']);
      assert.deepEqual(await h.run('LSUB "" f*'), ['* LSUB () "/" foo/bar', 't OK LSUB completed']);
      assert.deepEqual(await h.run('LSUB "foo/" %'), ['* LSUB () "/" foo/bar', 't OK LSUB completed']);
      await h.run('DELETE foo/bar');
      assert.deepEqual(await h.run('LSUB "" foo/*'), ['* LSUB () "/" foo/bar', 't OK LSUB completed']);
    });
  });

  describe('LIST', () => {
    it('lists every mailbox, INBOX first, with child and special-use attributes', async () => {
      assert.deepEqual(await h.run('LIST "" *'), [...DEFAULT_LIST, 't OK LIST completed']);
      assert.deepEqual(await h.run('LIST "" %'), [...DEFAULT_LIST, 't OK LIST completed']);
      assert.deepEqual(await h.run('LIST "" inbox'), [DEFAULT_LIST[0], 't OK LIST completed']);
    });
    it('lists a level that is not a mailbox with "%" and "*"', async () => {
      await h.run('CREATE a/b');
      await h.run('DELETE a');
      assert.deepEqual(await h.run('LIST "" %'), [...DEFAULT_LIST, '* LIST (\\Noselect \\HasChildren) "/" a', 't OK LIST completed']);
      assert.deepEqual(await h.run('LIST "a/" %'), ['* LIST (\\HasNoChildren) "/" a/b', 't OK LIST completed']);
    });
    it('takes several patterns and RETURN options', async () => {
      assert.deepEqual(await h.run('LIST "" (INBOX Sent nope) RETURN (SUBSCRIBED CHILDREN SPECIAL-USE)'), [
        '* LIST (\\Subscribed \\HasNoChildren) "/" INBOX',
        '* LIST (\\Subscribed \\HasNoChildren \\Sent) "/" Sent',
        't OK LIST completed',
      ]);
      assert.equal(tagged(await h.run('LIST "" * RETURN (BOGUS)')), 't BAD');
      assert.equal(tagged(await h.run('LIST (BOGUS) "" *')), 't BAD');
      assert.equal(tagged(await h.run('LIST (RECURSIVEMATCH) "" *')), 't BAD');
      assert.equal(tagged(await h.run('LIST "" ()')), 't BAD');
    });
    it('SUBSCRIBED selection lists subscribed names, existing or not; RECURSIVEMATCH adds CHILDINFO', async () => {
      await h.run('CREATE Fruit/Banana');
      await h.run('CREATE Fruit/Peach');
      await h.run('CREATE Vegetable/Broccoli');
      for (const n of ['Fruit/Banana', 'Fruit/Peach', 'Vegetable', 'Vegetable/Broccoli']) await h.run(`SUBSCRIBE ${n}`);
      await h.run('DELETE Fruit/Peach');
      assert.deepEqual(await h.run('LIST (SUBSCRIBED) "" (Fruit* Vegetable* Trash)'), [
        '* LIST (\\Subscribed \\HasNoChildren) "/" Fruit/Banana',
        '* LIST (\\NonExistent \\Subscribed) "/" Fruit/Peach',
        '* LIST (\\Subscribed \\HasNoChildren \\Trash) "/" Trash',
        '* LIST (\\Subscribed \\HasChildren) "/" Vegetable',
        '* LIST (\\Subscribed \\HasNoChildren) "/" Vegetable/Broccoli',
        't OK LIST completed',
      ]);
      assert.deepEqual(await h.run('LIST (SUBSCRIBED RECURSIVEMATCH) "" (Fruit Vegetable)'), [
        '* LIST (\\HasChildren) "/" Fruit ("CHILDINFO" ("SUBSCRIBED"))',
        '* LIST (\\Subscribed \\HasChildren) "/" Vegetable ("CHILDINFO" ("SUBSCRIBED"))',
        't OK LIST completed',
      ]);
    });
    it('SPECIAL-USE selection', async () => {
      assert.deepEqual(await h.run('LIST (SPECIAL-USE) "" "*"'), [...DEFAULT_LIST.slice(1), 't OK LIST completed']);
    });
    it('RETURN (STATUS) writes STATUS after selectable mailboxes only', async () => {
      await h.run('CREATE a/b');
      await h.run('DELETE a');
      const b = (await h.store.getMailbox(h.account.id, 'a/b'))!;
      assert.deepEqual(await h.run('LIST "" a* RETURN (STATUS (MESSAGES UIDVALIDITY))'), [
        '* LIST (\\NonExistent \\HasChildren) "/" a',
        '* LIST (\\HasNoChildren) "/" a/b',
        `* STATUS a/b (MESSAGES 0 UIDVALIDITY ${b.uidValidity})`,
        't OK LIST completed',
      ]);
    });
    it('answers in UTF-8 once enabled', async () => {
      const u = await harness({ utf8: true });
      await u.run('CREATE Äpfel');
      assert.deepEqual(await u.run('LIST "" Ä*'), ['* LIST (\\HasNoChildren) "/" "Äpfel"', 't OK LIST completed']);
    });
  });

  describe('STATUS', () => {
    it('answers the items in the order asked', async () => {
      const inbox = (await h.store.getMailbox(h.account.id, 'INBOX'))!;
      assert.deepEqual(await h.run('STATUS inbox (UIDNEXT MESSAGES SIZE UNSEEN DELETED RECENT UIDVALIDITY APPENDLIMIT HIGHESTMODSEQ)'), [
        `* STATUS INBOX (UIDNEXT ${inbox.uidNext} MESSAGES 0 SIZE 0 UNSEEN 0 DELETED 0 RECENT 0 UIDVALIDITY ${inbox.uidValidity} APPENDLIMIT ${64 * 1024 * 1024} HIGHESTMODSEQ ${inbox.highestModseq})`,
        't OK STATUS completed',
      ]);
      assert.ok(h.session.enabled.has('CONDSTORE'));
    });
    it('refuses unknown mailboxes (NO) and items (BAD)', async () => {
      assert.equal(tagged(await h.run('STATUS nope (MESSAGES)')), 't NO [NONEXISTENT]');
      assert.equal(tagged(await h.run('STATUS INBOX (BOGUS)')), 't BAD');
      assert.equal(tagged(await h.run('STATUS INBOX ()')), 't BAD');
    });
  });
});
