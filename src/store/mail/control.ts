/**
 * Control messages between the processes and nodes of one store (Store.sendControl: end a user's sessions,
 * list the sessions), kept as rows of session_control for CONTROL_KEEP_MS. Besides the fast path of each
 * backend (SQLite: in-process at once; PostgreSQL: NOTIFY), the rows let a reader catch up on what it
 * could not hear: another SQLite process polls them, and a PostgreSQL node reads them after its LISTEN
 * connection was reconnected.
 */
import type { ControlMessage } from '../types.js';
import { exec, one, rows, type Rule } from './rule.js';

/** CONTROL_KEEP_MS: how long a control message is kept for readers that catch up (ms). */
export const CONTROL_KEEP_MS = 10 * 60 * 1000;

/** StoredControl is one control message as stored: its row id (ids only grow) and the message. */
export interface StoredControl {
  id: number;
  message: ControlMessage;
}

/**
 * insertControl stores `message` as sent at `now` (ms since epoch), drops the messages older than
 * CONTROL_KEEP_MS, and returns the new row's id. Run it in a write.
 */
export function* insertControl(message: ControlMessage, now: number): Rule<number> {
  yield* exec('DELETE FROM session_control WHERE created_at < ?', now - CONTROL_KEEP_MS);
  const row = yield* one<{ id: number | string }>('INSERT INTO session_control (created_at, message) VALUES (?, ?) RETURNING id', now, JSON.stringify(message));
  // PostgreSQL's BIGSERIAL comes back as a string.
  return Number(row!.id);
}

/** lastControlId returns the highest control message id there is, 0 when there is none. */
export function* lastControlId(): Rule<number> {
  const row = yield* one<{ id: number | string | null }>('SELECT MAX(id) AS id FROM session_control');
  return Number(row?.id ?? 0);
}

/**
 * controlAfter returns the control messages with id above `afterId` and sent at or after `since` (ms since
 * epoch), ascending id. A row this version cannot read is skipped.
 */
export function* controlAfter(afterId: number, since = 0): Rule<StoredControl[]> {
  const out: StoredControl[] = [];
  for (const [id, json] of yield* rows<[number | string, string]>('SELECT id, message FROM session_control WHERE id > ? AND created_at >= ? ORDER BY id', afterId, since)) {
    try {
      out.push({ id: Number(id), message: JSON.parse(json) as ControlMessage });
    } catch {
      // Written by a later version in a form this one cannot read: not for us.
    }
  }
  return out;
}
