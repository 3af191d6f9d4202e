/**
 * Address lists for ENVELOPE (RFC 9051 section 7.5.2, RFC 5322 section 3.4): raw strings, no
 * RFC 2047 decoding, groups as start/end markers, and Dovecot's placeholders for missing parts so that
 * clients see the same ENVELOPE as from Dovecot ("foo" -> mailbox "foo", host "MISSING_DOMAIN").
 */
import type { EnvelopeAddress } from './types.js';

/** MISSING_MAILBOX is what Dovecot (message_address_parse, FILL_MISSING) reports for an address without a local part. */
export const MISSING_MAILBOX = 'MISSING_MAILBOX';
/** MISSING_DOMAIN is what Dovecot reports as host for an address without "@domain" ("foo", "<moderator>"). */
export const MISSING_DOMAIN = 'MISSING_DOMAIN';
/** SYNTAX_ERROR is what Dovecot reports as host when "<" holds a local part followed by neither "@" nor ">". */
export const SYNTAX_ERROR = 'SYNTAX_ERROR';

/** A token: word (atom or quoted-string), special, domain literal, or comment. */
interface Tok {
  k: 'word' | 'sp' | 'dlit' | 'c';
  v: string;
  /** Whitespace or a comment came before it. */
  ws: boolean;
}

const SPECIALS = '<>@,;:.[]';

function isWs(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** tokenize splits a header value into tokens; comments are kept as tokens for the "addr (Name)" form. */
function tokenize(s: string): Tok[] {
  const toks: Tok[] = [];
  let p = 0;
  let ws = false;
  while (p < s.length) {
    const c = s[p];
    if (isWs(c)) { ws = true; p++; continue; }
    if (c === '(') {
      let depth = 0;
      let text = '';
      for (; p < s.length; p++) {
        const d = s[p];
        if (d === '\\' && p + 1 < s.length) { text += s[++p]; continue; }
        if (d === '(') { if (depth++ > 0) text += d; continue; }
        if (d === ')') { if (--depth === 0) { p++; break; } text += d; continue; }
        text += d;
      }
      toks.push({ k: 'c', v: text.trim(), ws });
      ws = true;
      continue;
    }
    if (c === '"') {
      let v = '';
      p++;
      while (p < s.length && s[p] !== '"') {
        if (s[p] === '\\' && p + 1 < s.length) p++;
        v += s[p++];
      }
      p++;
      toks.push({ k: 'word', v, ws });
    } else if (c === '[') {
      const end = s.indexOf(']', p);
      const stop = end === -1 ? s.length : end + 1;
      toks.push({ k: 'dlit', v: s.slice(p, stop), ws });
      p = stop;
    } else if (SPECIALS.includes(c)) {
      toks.push({ k: 'sp', v: c, ws });
      p++;
    } else {
      const start = p;
      while (p < s.length && !isWs(s[p]) && !SPECIALS.includes(s[p]) && s[p] !== '(' && s[p] !== '"') p++;
      toks.push({ k: 'word', v: s.slice(start, p), ws });
    }
    ws = false;
  }
  return toks;
}

class Parser {
  i = 0;
  constructor(readonly toks: Tok[]) {}

  /** peekSp skips comments and returns the special at the current token, or null. */
  peekSp(): string | null {
    while (this.toks[this.i]?.k === 'c') this.i++;
    const t = this.toks[this.i];
    return t !== undefined && t.k === 'sp' ? t.v : null;
  }

  /** phrase joins words and dots up to a special, with one space where the source had whitespace. */
  phrase(): string {
    let out = '';
    for (; this.i < this.toks.length; this.i++) {
      const t = this.toks[this.i];
      if (t.k === 'c') continue;
      if (t.k === 'sp' && t.v !== '.') break;
      if (t.k === 'dlit') break;
      if (out !== '' && t.ws) out += ' ';
      out += t.v;
    }
    return out;
  }

  /** dotted joins words and dots exactly (local-part, domain); quoted local parts lose their quotes, as in Dovecot. */
  dotted(): string {
    let out = '';
    for (; this.i < this.toks.length; this.i++) {
      const t = this.toks[this.i];
      if (t.k === 'c') continue;
      if (t.k === 'sp' && t.v !== '.') break;
      if (t.k === 'dlit') break;
      if (out !== '' && t.ws && t.k === 'word' && !out.endsWith('.')) break;
      out += t.v;
    }
    return out;
  }

  /** skipTo moves to the next token that is one of `specials` (or the end). */
  skipTo(specials: string): void {
    while (this.i < this.toks.length) {
      const t = this.toks[this.i];
      if (t.k === 'sp' && specials.includes(t.v)) return;
      this.i++;
    }
  }

  /** lookahead reports which of ":" "<" "," ";" comes first at the top level from the current token. */
  lookahead(): string | null {
    for (let j = this.i; j < this.toks.length; j++) {
      const t = this.toks[j];
      if (t.k === 'sp' && ':<,;'.includes(t.v)) return t.v;
    }
    return null;
  }

  angle(name: string | null): EnvelopeAddress {
    this.i++; // '<'
    let adl: string | null = null;
    if (this.peekSp() === '@') {
      // obs-route: "@a,@b:" kept as written (RFC 9051 addr-adl)
      const parts: string[] = [];
      while (this.peekSp() === '@') {
        this.i++;
        parts.push('@' + this.dotted());
        while (this.peekSp() === ',') this.i++;
      }
      if (this.peekSp() === ':') this.i++;
      adl = parts.join(',');
    }
    const local = this.dotted();
    let host = '';
    const next = this.peekSp();
    if (next === '@') {
      this.i++;
      host = this.domain();
    } else if (local !== '' && next !== '>' && this.i < this.toks.length) {
      // "<Undisclosed Recipients@x>", "<C:`x@y>": Dovecot keeps the first word and flags the host.
      host = SYNTAX_ERROR;
    }
    this.skipTo('>,;');
    if (this.peekSp() === '>') this.i++;
    this.skipTo(',;');
    return { name, adl, mailbox: local === '' ? MISSING_MAILBOX : local, host: host === '' ? MISSING_DOMAIN : host };
  }

  domain(): string {
    const t = this.toks[this.i];
    if (t !== undefined && t.k === 'dlit') { this.i++; return t.v; }
    return this.dotted();
  }

  /** mailbox parses name-addr or addr-spec; null when there is nothing before the next "," or ";". */
  mailbox(): EnvelopeAddress | null {
    const look = this.lookahead();
    if (look === '<') {
      const name = this.phrase();
      this.skipTo('<');
      return this.angle(name === '' ? null : name);
    }
    const start = this.i;
    const local = this.dotted();
    let host = '';
    if (this.peekSp() === '@') {
      this.i++;
      host = this.domain();
    }
    // Several words without "@" or "<" ("Mary Smith"): a display name without an address, as Dovecot
    // reports it; other trailing words are dropped, the first word staying the mailbox.
    const t = this.toks[this.i];
    if (host === '' && local !== '' && t?.k === 'word' && t.ws) {
      this.i = start;
      const name = this.phrase();
      if (this.peekSp() === null || this.peekSp() === ',' || this.peekSp() === ';') {
        this.skipTo(',;');
        return { name, adl: null, mailbox: MISSING_MAILBOX, host: MISSING_DOMAIN };
      }
      this.i = start;
      this.dotted();
    }
    this.skipTo(',;');
    if (local === '' && host === '' && this.i === start) return null;
    // "addr (Name)": Dovecot reports the last comment as the display name.
    let comment = '';
    for (let j = start; j < this.i; j++) if (this.toks[j].k === 'c') comment = this.toks[j].v;
    return {
      name: comment === '' ? null : comment,
      adl: null,
      mailbox: local === '' ? MISSING_MAILBOX : local,
      host: host === '' ? MISSING_DOMAIN : host,
    };
  }

  list(): EnvelopeAddress[] {
    const out: EnvelopeAddress[] = [];
    while (this.i < this.toks.length) {
      const sp = this.peekSp();
      if (sp === ',' || sp === ';' || sp === '>') { this.i++; continue; }
      if (this.lookahead() === ':') {
        const group = this.phrase();
        this.skipTo(':');
        this.i++;
        out.push({ name: null, adl: null, mailbox: group, host: null });
        while (this.i < this.toks.length) {
          const g = this.peekSp();
          if (g === ';') { this.i++; break; }
          if (g === ',' || g === ':' || g === '>') { this.i++; continue; }
          const m = this.mailbox();
          if (m !== null) out.push(m);
          else this.i++;
        }
        out.push({ name: null, adl: null, mailbox: null, host: null });
        continue;
      }
      const m = this.mailbox();
      if (m !== null) out.push(m);
      else this.i++;
    }
    return out;
  }
}

/**
 * parseAddressList parses an address-list header value (already unfolded, 8-bit bytes already turned
 * into text) into ENVELOPE addresses. Display names are the raw phrase (quotes removed, encoded-words
 * kept); a group yields a start marker (mailbox = group name, host null) and an end marker (all null);
 * a missing local part or domain becomes "MISSING_MAILBOX" / "MISSING_DOMAIN" as in Dovecot.
 * Returns null when the value holds no address (so ENVELOPE shows NIL). Never throws.
 */
export function parseAddressList(value: string | null): EnvelopeAddress[] | null {
  if (value === null) return null;
  const list = new Parser(tokenize(value)).list();
  return list.length > 0 ? list : null;
}
