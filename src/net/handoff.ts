/**
 * ConnectionSource: where a listener that does not bind gets its connections. The workers of one
 * `letterbox serve` (server/cluster.ts) bind nothing: the primary process accepts every connection and hands
 * it to the worker with the fewest open ones, whose listener then serves it as if it had accepted it.
 */
import type net from 'node:net';

/** ConnectionSource hands accepted connections to listeners by name ("imap", "imaps", "pop3", "lmtp", "lmtp-socket", ...). */
export interface ConnectionSource {
  /** attach gives every later connection of listener `name` to `accept`; returns the function that stops it. */
  attach(name: string, accept: (socket: net.Socket) => void): () => void;
}
