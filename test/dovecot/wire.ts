/**
 * A byte-exact IMAP client for differential tests: responses are kept as Buffers (literals included) and
 * parsed into value trees, so answers from two servers can be compared as values (a quoted string and a
 * literal with the same octets are the same string, RFC 9051 section 4.3) while string contents are
 * compared octet for octet.
 */
import net from 'node:net';

/** Value: one parsed IMAP datum. Atoms and numbers are `atom`, quoted strings and literals `string`. */
export type Value =
  | { kind: 'atom'; text: string }
  | { kind: 'string'; bytes: Buffer }
  | { kind: 'nil' }
  | { kind: 'list'; items: Value[] }
  | { kind: 'section'; text: string };

/** TaggedReply: the tagged completion of a command and the untagged responses that came before it. */
export interface TaggedReply {
  status: string;
  /** The response code in brackets (e.g. "UNKNOWN-CTE" or "APPENDUID 38505 3955"), or ''. */
  code: string;
  text: string;
  untagged: Buffer[];
}

/** WireClient: pipelined commands over one TCP connection, with the raw bytes of every response. */
export class WireClient {
  private buf: Buffer = Buffer.alloc(0);
  private closed = false;
  private wake: (() => void) | null = null;
  private seq = 0;
  private pending = new Map<string, { resolve: (r: TaggedReply) => void; untagged: Buffer[] }>();
  private order: string[] = [];
  /** Untagged responses that arrived while no command was outstanding. */
  stray: Buffer[] = [];

  private constructor(private socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.pump();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const [, p] of this.pending) p.resolve({ status: 'CLOSED', code: '', text: 'connection closed', untagged: p.untagged });
      this.pending.clear();
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** login opens a connection, reads the greeting and logs in with LOGIN; throws when login fails. */
  static async login(port: number, user: string, password: string): Promise<WireClient> {
    const socket = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const c = new WireClient(socket);
    await c.greeting();
    const r = await c.command(`LOGIN ${quote(user)} ${quote(password)}`);
    if (r.status !== 'OK') throw new Error(`login failed: ${r.status} ${r.text}`);
    return c;
  }

  private greetingLine: Buffer | null = null;
  private async greeting(): Promise<void> {
    while (this.greetingLine === null) {
      if (this.closed) throw new Error('closed before greeting');
      await new Promise<void>((r) => (this.wake = r));
    }
  }

  /** Takes one complete response (a line with all its literals) from the buffer, or null. */
  private takeResponse(): Buffer | null {
    let pos = 0;
    for (;;) {
      const nl = this.buf.indexOf('\r\n', pos, 'latin1');
      if (nl < 0) return null;
      const m = /~?\{(\d+)\}$/.exec(this.buf.subarray(Math.max(pos, nl - 24), nl).toString('latin1'));
      if (m) {
        const end = nl + 2 + Number(m[1]);
        if (this.buf.length < end) return null;
        pos = end;
        continue;
      }
      const line = this.buf.subarray(0, nl);
      this.buf = this.buf.subarray(nl + 2);
      return line;
    }
  }

  private pump(): void {
    for (let r = this.takeResponse(); r !== null; r = this.takeResponse()) {
      if (this.greetingLine === null) {
        this.greetingLine = r;
        continue;
      }
      if (r[0] === 0x2a /* * */ || r[0] === 0x2b /* + */) {
        const tag = this.order[0];
        if (r[0] === 0x2b) continue; // continuation: only LITERAL+ is used, so none are expected
        if (tag === undefined) this.stray.push(r);
        else this.pending.get(tag)!.untagged.push(r);
        continue;
      }
      const sp = r.indexOf(0x20);
      const tag = r.subarray(0, sp).toString('latin1');
      const p = this.pending.get(tag);
      if (!p) {
        this.stray.push(r);
        continue;
      }
      this.pending.delete(tag);
      this.order = this.order.filter((t) => t !== tag);
      const rest = r.subarray(sp + 1).toString('latin1');
      const m = /^(\S+) ?(?:\[([^\]]*)\] ?)?(.*)$/.exec(rest)!;
      p.resolve({ status: m[1]!, code: m[2] ?? '', text: m[3] ?? '', untagged: p.untagged });
    }
    this.wake?.();
  }

  private last: Promise<unknown> = Promise.resolve();

  /**
   * command sends one command (string parts joined as given; Buffer parts are sent as LITERAL+ literals)
   * once every earlier command on this connection has completed, and resolves with its tagged reply.
   * Commands are not pipelined because untagged responses carry no tag: Dovecot runs pipelined FETCHes
   * concurrently, so their responses could not be told apart. Use several connections for parallelism.
   */
  command(...parts: Array<string | Buffer>): Promise<TaggedReply> {
    const run = this.last.then(() => this.pipelined(...parts));
    this.last = run;
    return run;
  }

  /**
   * pipelined sends a command at once, without waiting for earlier ones. Only for commands whose untagged
   * responses do not matter (APPEND: its APPENDUID is in the tagged reply).
   */
  pipelined(...parts: Array<string | Buffer>): Promise<TaggedReply> {
    const tag = `T${++this.seq}`;
    const chunks: Buffer[] = [Buffer.from(`${tag} `)];
    for (const p of parts) {
      if (typeof p === 'string') chunks.push(Buffer.from(p, 'utf8'));
      else chunks.push(Buffer.from(`{${p.length}+}\r\n`), p);
    }
    chunks.push(Buffer.from('\r\n'));
    return new Promise((resolve) => {
      if (this.closed) return resolve({ status: 'CLOSED', code: '', text: 'connection closed', untagged: [] });
      this.pending.set(tag, { resolve, untagged: [] });
      this.order.push(tag);
      this.socket.write(Buffer.concat(chunks));
    });
  }

  /** close logs out without waiting and destroys the socket. */
  close(): void {
    this.socket.destroy();
  }
}

/** quote makes an IMAP quoted string of ASCII text. */
export function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * parseResponse parses an untagged response (without "* ") into a list of values. A FETCH item name such
 * as BODY[1.MIME]<0> or BINARY.SIZE[2] is one `section` value. Throws on malformed input.
 */
export function parseResponse(line: Buffer): Value[] {
  let i = line[0] === 0x2a ? 2 : 0;
  const parseList = (close: number): Value[] => {
    const out: Value[] = [];
    for (;;) {
      while (line[i] === 0x20) i++;
      if (i >= line.length) {
        if (close === -1) return out;
        throw new Error(`unterminated list in ${line.toString('latin1').slice(0, 200)}`);
      }
      const c = line[i]!;
      if (c === close) {
        i++;
        return out;
      }
      if (c === 0x28 /* ( */) {
        i++;
        out.push({ kind: 'list', items: parseList(0x29) });
      } else if (c === 0x22 /* " */) {
        i++;
        const bytes: number[] = [];
        while (line[i] !== 0x22) {
          if (i >= line.length) throw new Error('unterminated quoted string');
          if (line[i] === 0x5c) i++;
          bytes.push(line[i++]!);
        }
        i++;
        out.push({ kind: 'string', bytes: Buffer.from(bytes) });
      } else if (c === 0x7b /* { */ || (c === 0x7e && line[i + 1] === 0x7b)) {
        const close2 = line.indexOf(0x7d, i);
        const n = Number(line.subarray(line.indexOf(0x7b, i) + 1, close2).toString('latin1'));
        i = close2 + 3;
        out.push({ kind: 'string', bytes: Buffer.from(line.subarray(i, i + n)) });
        i += n;
      } else {
        const start = i;
        let depth = 0;
        while (i < line.length) {
          const d = line[i]!;
          if (d === 0x5b) depth++;
          else if (d === 0x5d) depth--;
          else if (depth === 0 && (d === 0x20 || d === 0x29 || d === 0x28)) break;
          i++;
        }
        const text = line.subarray(start, i).toString('latin1');
        if (text.toUpperCase() === 'NIL') out.push({ kind: 'nil' });
        else if (text.includes('[')) out.push({ kind: 'section', text: text.toUpperCase() });
        else out.push({ kind: 'atom', text });
      }
    }
  };
  return parseList(-1);
}

/**
 * fetchItems turns the responses of a FETCH into a map: sequence number -> item name -> value.
 * Item names are upper-cased; BODY.PEEK is reported by servers as BODY, so names are used as sent back.
 */
export function fetchItems(untagged: Buffer[]): Map<number, Map<string, Value>> {
  const out = new Map<number, Map<string, Value>>();
  for (const r of untagged) {
    const v = parseResponse(r);
    if (v.length < 3 || v[1]?.kind !== 'atom' || v[1].text.toUpperCase() !== 'FETCH') continue;
    const seq = Number((v[0] as { text: string }).text);
    const list = v[2];
    if (list?.kind !== 'list') continue;
    const items = out.get(seq) ?? new Map<string, Value>();
    for (let k = 0; k + 1 < list.items.length; k += 2) {
      const name = list.items[k]!;
      const key = name.kind === 'atom' || name.kind === 'section' ? name.text.toUpperCase() : '?';
      items.set(key, list.items[k + 1]!);
    }
    out.set(seq, items);
  }
  return out;
}

/** render prints a value as IMAP-like text (strings quoted, non-printable octets escaped), for reports. */
export function render(v: Value | undefined): string {
  if (v === undefined) return '(absent)';
  switch (v.kind) {
    case 'atom':
    case 'section':
      return v.text;
    case 'nil':
      return 'NIL';
    case 'string':
      return JSON.stringify(v.bytes.toString('latin1'));
    case 'list':
      return `(${v.items.map(render).join(' ')})`;
  }
}

/** sameValue compares two values: atoms exactly, strings octet for octet, lists item by item. */
export function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'atom':
    case 'section':
      return a.text === (b as typeof a).text;
    case 'nil':
      return true;
    case 'string':
      return a.bytes.equals((b as typeof a).bytes);
    case 'list': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, k) => sameValue(x, bi[k]));
    }
  }
}
