/**
 * Running a mail rule (mail/rule.ts) on a SQLite connection: each statement the rule asks for runs at once,
 * on the calling thread. Used by the driver, the migrations and the upkeep thread; imports only the
 * connection and the rule machinery.
 */
import { perform, type Change, type Connection, type Rule } from '../mail/rule.js';
import type { Db } from './db.js';

/**
 * runRule runs `rule` to its end on `db`, each statement at once, and returns its result. The changes it
 * announces are added to `changes` (once each); a rule that announces with `changes` null (a read) throws.
 * Must be called inside a write transaction for rules that write.
 */
export function runRule<T>(db: Db, rule: Rule<T>, changes: Change[] | null = null): T {
  const announce = (accountId: number, mailboxId: number | null): void => {
    if (!changes) throw new Error('a read announced a change');
    if (!changes.some(([a, m]) => a === accountId && m === mailboxId)) changes.push([accountId, mailboxId]);
  };
  let step = rule.next();
  while (!step.done) {
    const out = perform(db as Connection<unknown>, step.value, announce);
    if (out instanceof Promise) throw new Error('SQLite runs rules synchronously: a driver call must not be async');
    step = rule.next(out);
  }
  return step.value;
}
