/**
 * Control messages between processes on one SQLite file (Store.sendControl): rows of session_control,
 * read by the other processes' notifiers when data_version moves, kept CONTROL_KEEP_MS.
 */
import type { ControlMessage } from '../types.js';
import type { Db } from './db.js';

/** CONTROL_SCHEMA (migration 8): one row per message, `message` its JSON; ids only grow (AUTOINCREMENT). */
export const CONTROL_SCHEMA = `
CREATE TABLE IF NOT EXISTS session_control (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at INTEGER NOT NULL,
  message TEXT NOT NULL
);
`;

/** CONTROL_KEEP_MS: how long a message is kept for processes to read (ms); they poll every 250 ms. */
const CONTROL_KEEP_MS = 10 * 60 * 1000;

/** insertControl stores `message` and drops messages older than CONTROL_KEEP_MS; call it inside a write transaction. */
export function insertControl(db: Db, message: ControlMessage, now: number): void {
  db.run('DELETE FROM session_control WHERE created_at < ?', now - CONTROL_KEEP_MS);
  db.run('INSERT INTO session_control (created_at, message) VALUES (?, ?)', now, JSON.stringify(message));
}

/** readControl is the Notifier's reader: the messages after `afterId` (null: none, only the highest id). */
export function readControl(db: Db, afterId: number | null): { messages: ControlMessage[]; lastId: number } {
  if (afterId === null) return { messages: [], lastId: db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM session_control')?.id ?? 0 };
  const rows = db.all<{ id: number; message: string }>('SELECT id, message FROM session_control WHERE id > ? ORDER BY id', afterId);
  const messages: ControlMessage[] = [];
  for (const r of rows) {
    try {
      messages.push(JSON.parse(r.message) as ControlMessage);
    } catch {
      // a row this version cannot read: skip it
    }
  }
  return { messages, lastId: rows.length > 0 ? rows[rows.length - 1]!.id : afterId };
}
