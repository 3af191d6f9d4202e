/**
 * Mail rules as statements: a rule is a generator that yields each statement it needs (a Op) and is given
 * the statement's result back, so one rule runs on both backends. SQLite runs it synchronously inside its
 * write transaction (sqlite/driver.ts), PostgreSQL awaits each statement inside BEGIN/COMMIT
 * (postgres/driver.ts). Statements use `?` placeholders in both dialects; what differs between the
 * dialects is asked of the Dialect (dialect.ts), never written twice here.
 *
 * Typical use, in a rule: `const mb = yield* one<MailboxRow>('SELECT ... WHERE id = ?', id);`.
 */

/** SqlValue is what a statement parameter may be (arrays only in PostgreSQL's dialect, for `= ANY(?)` and UNNEST). */
export type SqlValue = number | string | Buffer | null | readonly number[] | readonly string[] | ReadonlyArray<number | null>;

/**
 * Op is one step of a rule: a statement (`get` its first row, `all` its rows as objects, `rows` its rows as
 * arrays of columns in SELECT order, `run` it for the number of rows changed), a change to announce after
 * commit (`changed`: mailbox `mailboxId`, or the account's mailbox list when null), or a driver call
 * (`call`: work that is not SQL, e.g. the blob store, given the driver's connection or transaction).
 */
export type Op =
  | Statement
  | { readonly kind: 'changed'; readonly accountId: number; readonly mailboxId: number | null }
  | { readonly kind: 'call'; readonly fn: (conn: unknown) => unknown };

/** Statement is an Op that is one SQL statement. */
export interface Statement {
  readonly kind: 'get' | 'all' | 'rows' | 'run';
  readonly sql: string;
  readonly params: SqlValue[];
}

/** Rule is a running mail rule that ends with a T. */
export type Rule<T> = Generator<Op, T, unknown>;

/** one yields `sql` and returns its first row, or undefined. */
export function* one<T>(sql: string, ...params: SqlValue[]): Rule<T | undefined> {
  return (yield { kind: 'get', sql, params }) as T | undefined;
}

/** many yields `sql` and returns every row as an object. */
export function* many<T>(sql: string, ...params: SqlValue[]): Rule<T[]> {
  return (yield { kind: 'all', sql, params }) as T[];
}

/** rows yields `sql` and returns every row as an array of its columns: cheaper than objects for 100,000s of rows. */
export function* rows<T extends unknown[]>(sql: string, ...params: SqlValue[]): Rule<T[]> {
  return (yield { kind: 'rows', sql, params }) as T[];
}

/** exec yields a statement that returns no rows and returns the number of rows it changed. */
export function* exec(sql: string, ...params: SqlValue[]): Rule<number> {
  return (yield { kind: 'run', sql, params }) as number;
}

/**
 * changed records that the running write changed mailbox `mailboxId` of the account (null: its mailbox
 * list). The driver announces it to this node's listeners and to the other nodes once the write has
 * committed, and never when it rolls back (Store.onChange).
 */
export function* changed(accountId: number, mailboxId: number | null): Rule<void> {
  yield { kind: 'changed', accountId, mailboxId };
}

/** call runs `fn` with the driver's connection or transaction (a driver's own work, e.g. its blob store) and returns its result, awaited. */
export function* call<C, T>(fn: (conn: C) => T | Promise<T>): Rule<T> {
  return (yield { kind: 'call', fn: fn as (conn: unknown) => unknown }) as T;
}

/** Change is one announcement a write collected with `changed`. */
export type Change = readonly [accountId: number, mailboxId: number | null];


/** Connection is what a runner sends statements to; R is a row result, or a promise of one. */
export interface Connection<R> {
  get(sql: string, ...params: never[]): R;
  all(sql: string, ...params: never[]): R;
  rows(sql: string, ...params: never[]): R;
  run(sql: string, ...params: never[]): R;
}

/**
 * perform carries out one step of a rule on `conn` and returns what goes back into the rule: a statement's
 * result (a promise of it where `conn` is asynchronous), a driver call's result, or undefined after giving a
 * `changed` to `announce`. Both drivers' runners are this in a loop; only how they wait differs.
 */
export function perform<R>(conn: Connection<R>, op: Op, announce: (accountId: number, mailboxId: number | null) => void): unknown {
  if (op.kind === 'changed') {
    announce(op.accountId, op.mailboxId);
    return undefined;
  }
  if (op.kind === 'call') return op.fn(conn);
  const params = op.params as never[];
  switch (op.kind) {
    case 'get':
      return conn.get(op.sql, ...params);
    case 'all':
      return conn.all(op.sql, ...params);
    case 'rows':
      return conn.rows(op.sql, ...params);
    default:
      return conn.run(op.sql, ...params);
  }
}
