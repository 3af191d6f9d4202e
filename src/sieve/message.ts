/**
 * MessageView: what tests read from the message, parsed once per run with src/mime. Header values are
 * decoded (8-bit bytes as UTF-8 or windows-1252, then RFC 2047 words) before matching, as RFC 5228
 * section 2.7.2 asks; addresses are parsed with nodemailer's addressparser; body parts are decoded
 * for the body test (RFC 5173 section 5).
 */
import addressparser from 'nodemailer/lib/addressparser';
import { parseStructure } from '../mime/structure.js';
import { decodeCharset, decodeHeaderValue, decodeTransferEncoding } from '../mime/decode.js';
import { bytesText } from '../mime/bytes.js';
import type { HeaderField } from '../mime/header.js';
import type { MimePart } from '../mime/types.js';

/** MessageView reads one message's header fields, addresses and body parts. */
export class MessageView {
  private root: MimePart | null = null;
  private partFields = new Map<MimePart, HeaderField[]>();

  constructor(readonly raw: Buffer) {}

  private parsed(): MimePart {
    if (this.root === null) {
      const s = parseStructure(this.raw);
      this.root = s.root;
      this.partFields = s.partFields;
    }
    return this.root;
  }

  /** fields returns the top-level header fields in order. */
  fields(): HeaderField[] {
    const root = this.parsed();
    return this.partFields.get(root) ?? [];
  }

  /** rawValues returns the values of the fields named `name` (any case), 8-bit bytes turned into text, encoded-words kept. */
  rawValues(name: string): string[] {
    const key = name.toLowerCase();
    return this.fields().filter((f) => f.key === key).map((f) => bytesText(f.value, 'windows-1252'));
  }

  /** headerValues returns the values of the fields named `name`, decoded (RFC 2047), in order. */
  headerValues(name: string): string[] {
    return this.rawValues(name).map(decodeHeaderValue);
  }

  /** has tells whether at least one field named `name` exists. */
  has(name: string): boolean {
    const key = name.toLowerCase();
    return this.fields().some((f) => f.key === key);
  }

  /** size is the message size in octets (RFC 5228 section 5.9). */
  get size(): number {
    return this.raw.length;
  }

  /** bodyRaw is the undecoded body (RFC 5173 :raw), 8-bit bytes as text. */
  bodyRaw(): string {
    const root = this.parsed();
    return bytesText(this.raw.toString('latin1', root.bodyStart, root.bodyEnd), 'windows-1252');
  }

  /**
   * bodyContent returns the decoded content of each leaf part whose type matches one of `types` (RFC 5173
   * section 5.2: "" matches all, "text" a type, "text/plain" a type and subtype; case-insensitive). Parts of
   * nested messages are included. text/* parts are decoded to text with their charset.
   */
  bodyContent(types: readonly string[]): string[] {
    const out: string[] = [];
    const wanted = types.map((t) => t.toLowerCase().trim());
    const visit = (part: MimePart): void => {
      if (part.parts.length > 0) {
        part.parts.forEach(visit);
        return;
      }
      if (part.message !== null) {
        visit(part.message);
        return;
      }
      const ok = wanted.some((w) => w === '' || w === part.type || w === `${part.type}/${part.subtype}`);
      if (!ok) return;
      const bytes = this.raw.subarray(part.bodyStart, part.bodyEnd);
      const decoded = decodeTransferEncoding(bytes, part.encoding) ?? bytes;
      if (part.type === 'text') {
        const charset = part.params.find(([k]) => k.toLowerCase() === 'charset')?.[1] ?? null;
        out.push(decodeCharset(decoded, charset));
      } else {
        out.push(decoded.toString('latin1'));
      }
    };
    visit(this.parsed());
    return out;
  }
}

/** ParsedAddress is one address split for the address parts (RFC 5228 section 2.7.4, RFC 5233). */
export interface ParsedAddress {
  all: string;
  localpart: string;
  domain: string;
}

/** parseAddresses returns the addresses of a header value (groups flattened; entries with no address skipped). */
export function parseAddresses(value: string): ParsedAddress[] {
  let list: { address: string }[];
  try {
    list = addressparser(value, { flatten: true });
  } catch {
    return [];
  }
  return list.filter((a) => a.address !== '').map((a) => splitAddress(a.address));
}

/** splitAddress splits "local@domain" at the last "@"; without "@" the whole string is the local part. */
export function splitAddress(address: string): ParsedAddress {
  const at = address.lastIndexOf('@');
  if (at === -1) return { all: address, localpart: address, domain: '' };
  return { all: address, localpart: address.slice(0, at), domain: address.slice(at + 1) };
}

/** SUBADDRESS_SEPARATOR separates user and detail (RFC 5233 section 4). */
export const SUBADDRESS_SEPARATOR = '+';

/**
 * addressPart returns the part of an address that a test compares (RFC 5228 section 2.7.4, RFC 5233
 * section 4), or null when it does not exist (:detail of an address without a separator).
 */
export function addressPart(a: ParsedAddress, part: string): string | null {
  switch (part) {
    case 'localpart': return a.localpart;
    case 'domain': return a.domain;
    case 'user': {
      const i = a.localpart.indexOf(SUBADDRESS_SEPARATOR);
      return i === -1 ? a.localpart : a.localpart.slice(0, i);
    }
    case 'detail': {
      const i = a.localpart.indexOf(SUBADDRESS_SEPARATOR);
      return i === -1 ? null : a.localpart.slice(i + 1);
    }
    default: return a.all;
  }
}
