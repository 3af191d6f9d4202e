/**
 * Content-Type / Content-Disposition / Content-Language value parsing (RFC 2045 section 5.1,
 * RFC 2183, RFC 3282) with RFC 2231 parameter continuations and charsets. Input values are latin1
 * strings (one char per header byte); decoded parameter values are text.
 */
import type { MimeParams } from './types.js';
import { bytesText } from './bytes.js';
import { decodeCharset } from './charset.js';

/** ContentType is a parsed Content-Type value. */
export interface ContentType {
  /** Media type, lower-cased. */
  type: string;
  /** Media subtype, lower-cased. */
  subtype: string;
  /** Media type and subtype as written, for BODYSTRUCTURE (RFC 2045 section 5.1: not case sensitive). */
  typeText: string;
  subtypeText: string;
  /** Parameters in order, names as first written, values decoded (RFC 2231 joined). */
  params: MimeParams;
  /** The boundary parameter as raw bytes (latin1 string) for matching delimiter lines, or null. */
  boundary: string | null;
}

interface RawParam {
  name: string;
  value: string;
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/** skipCfws skips whitespace and (nested, escaped) comments (RFC 5322 section 3.2.2). */
function skipCfws(s: string, p: number): number {
  while (p < s.length) {
    const c = s.charCodeAt(p);
    if (isWs(c)) {
      p++;
    } else if (c === 0x28 /* ( */) {
      let depth = 0;
      for (; p < s.length; p++) {
        const d = s.charCodeAt(p);
        if (d === 0x5c /* \ */) p++;
        else if (d === 0x28) depth++;
        else if (d === 0x29 && --depth === 0) { p++; break; }
      }
    } else {
      break;
    }
  }
  return p;
}

/** readRun reads chars up to whitespace or one of `stops`. */
function readRun(s: string, p: number, stops: string): number {
  while (p < s.length && !isWs(s.charCodeAt(p)) && !stops.includes(s[p])) p++;
  return p;
}

/** readQuoted reads a quoted-string starting at the opening quote; an unterminated one runs to the end. */
function readQuoted(s: string, p: number): [string, number] {
  let out = '';
  p++;
  while (p < s.length) {
    const c = s[p];
    if (c === '\\' && p + 1 < s.length) { out += s[p + 1]; p += 2; continue; }
    if (c === '"') return [out, p + 1];
    out += c;
    p++;
  }
  return [out, p];
}

const PARAM_START = /[^\s=;"()]+[ \t]*=/y;

/**
 * parseParamList reads `;`-separated attribute=value pairs from s[p..]. Lenient where mail is broken:
 * a missing ";" between parameters, unquoted values holding tspecials (boundary=----=_Part_1),
 * unquoted values with spaces (name=my file.pdf), and junk without "=" (skipped).
 */
function parseParamList(s: string, p: number): RawParam[] {
  const out: RawParam[] = [];
  while (p < s.length) {
    p = skipCfws(s, p);
    if (p >= s.length) break;
    if (s[p] === ';') { p++; continue; }
    const nameStart = p;
    p = readRun(s, p, '=;("');
    const name = s.slice(nameStart, p);
    p = skipCfws(s, p);
    if (name === '' || s[p] !== '=') {
      if (p === nameStart) p++; // a stray '"' or '(' that skipCfws did not consume
      const semi = s.indexOf(';', p);
      p = semi === -1 ? s.length : semi;
      continue;
    }
    p = skipCfws(s, p + 1);
    let value: string;
    if (s[p] === '"') {
      [value, p] = readQuoted(s, p);
    } else {
      const start = p;
      p = readRun(s, p, ';("');
      value = s.slice(start, p);
      for (;;) {
        let q = p;
        while (q < s.length && (s[q] === ' ' || s[q] === '\t')) q++;
        if (q === p || q >= s.length || s[q] === ';' || s[q] === '(' || s[q] === '"') break;
        PARAM_START.lastIndex = q;
        if (PARAM_START.test(s)) break;
        const end = readRun(s, q, ';("');
        value += ' ' + s.slice(q, end);
        p = end;
      }
    }
    out.push({ name, value });
  }
  return out;
}

/** percentDecode turns RFC 2231 %XX escapes into bytes; other chars are taken as their own byte. */
function percentDecode(s: string): Buffer {
  const hex = /%([0-9a-fA-F]{2})/g;
  const latin = s.replace(hex, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(latin, 'latin1');
}

interface Section {
  index: number;
  encoded: boolean;
  value: string;
}

function decode2231(sections: Section[]): string {
  sections.sort((a, b) => a.index - b.index);
  let charset: string | null = null;
  const chunks: Buffer[] = [];
  sections.forEach((sec, i) => {
    let v = sec.value;
    if (i === 0 && sec.encoded) {
      const q1 = v.indexOf("'");
      const q2 = q1 === -1 ? -1 : v.indexOf("'", q1 + 1);
      if (q2 !== -1) {
        charset = v.slice(0, q1) || null;
        v = v.slice(q2 + 1);
      }
    }
    chunks.push(sec.encoded ? percentDecode(v) : Buffer.from(v, 'latin1'));
  });
  const bytes = Buffer.concat(chunks);
  return charset !== null ? decodeCharset(bytes, charset) : bytesText(bytes.toString('latin1'), 'raw');
}

const SECTION_NAME = /^(.*?)(?:\*(\d{1,6}))?(\*)?$/;

/**
 * joinParams merges RFC 2231 sections ("name*0*", "name*1", "name*") into one parameter at the place
 * of its first section, decoded with the declared charset. When both a plain and an RFC 2231 form of
 * a name exist, the RFC 2231 form wins (it is the one meant for capable readers); otherwise the first
 * occurrence wins. Plain values are raw bytes: UTF-8 when valid, else latin1; RFC 2047 words in them
 * are left for the client, as other servers do.
 */
function joinParams(raw: RawParam[]): MimeParams {
  const order: string[] = [];
  const plain = new Map<string, string>();
  const sections = new Map<string, Section[]>();
  // Names match case-insensitively (RFC 2045 section 5.1); the first spelling is the one kept.
  const spelling = new Map<string, string>();
  for (const { name, value } of raw) {
    const m = SECTION_NAME.exec(name);
    const written = m?.[1] ?? name;
    const base = written.toLowerCase();
    if (base === '') continue;
    if (!plain.has(base) && !sections.has(base)) {
      order.push(base);
      spelling.set(base, written);
    }
    if (m === null || (m[2] === undefined && m[3] === undefined)) {
      if (!plain.has(base)) plain.set(base, value);
      continue;
    }
    const list = sections.get(base) ?? [];
    const index = m[2] === undefined ? 0 : Number(m[2]);
    if (!list.some((sec) => sec.index === index)) list.push({ index, encoded: m[3] !== undefined, value });
    sections.set(base, list);
  }
  return order.map((base): [string, string] => {
    const secs = sections.get(base);
    const name = spelling.get(base) ?? base;
    if (secs !== undefined) return [name, decode2231(secs)];
    return [name, bytesText(plain.get(base) ?? '', 'raw')];
  });
}

/**
 * parseContentType parses a Content-Type value (RFC 2045 section 5.1). Returns null when the value
 * is missing or has no "type/subtype", so the caller can apply the default (RFC 2045 section 5.2).
 */
export function parseContentType(value: string | null): ContentType | null {
  if (value === null) return null;
  let p = skipCfws(value, 0);
  const typeStart = p;
  p = readRun(value, p, '/;("');
  const typeText = value.slice(typeStart, p);
  const type = typeText.toLowerCase();
  p = skipCfws(value, p);
  if (type === '' || value[p] !== '/') return null;
  p = skipCfws(value, p + 1);
  const subStart = p;
  p = readRun(value, p, '/;("');
  const subtypeText = value.slice(subStart, p);
  const subtype = subtypeText.toLowerCase();
  if (subtype === '') return null;
  const raw = parseParamList(value, p);
  const boundary = raw.find((r) => r.name.toLowerCase() === 'boundary')?.value ?? null;
  const params = joinParams(raw);
  const joined = params.find(([n]) => n.toLowerCase() === 'boundary')?.[1] ?? null;
  return {
    type,
    subtype,
    typeText: bytesText(typeText, 'raw'),
    subtypeText: bytesText(subtypeText, 'raw'),
    params,
    boundary: boundary ?? (joined === null ? null : Buffer.from(joined, 'utf8').toString('latin1')),
  };
}

/**
 * parseDisposition parses a Content-Disposition value (RFC 2183): the type as written and its
 * parameters (names as written). Returns null when absent or empty. Disposition types are not case
 * sensitive (RFC 2183 section 2); the spelling is kept because BODYSTRUCTURE reports it, as Dovecot does.
 */
export function parseDisposition(value: string | null): { value: string; params: MimeParams } | null {
  if (value === null) return null;
  let p = skipCfws(value, 0);
  const start = p;
  p = readRun(value, p, ';("=');
  const type = value.slice(start, p);
  if (type === '') return null;
  return { value: bytesText(type, 'raw'), params: joinParams(parseParamList(value, p)) };
}

/** parseLanguage parses a Content-Language value (RFC 3282) into tags, or null when there are none. */
export function parseLanguage(value: string | null): string[] | null {
  if (value === null) return null;
  const noComments = value.replace(/\([^()]*\)/g, ' ');
  const tags = noComments.split(/[\s,]+/).filter((t) => t !== '').map((t) => bytesText(t, 'raw'));
  return tags.length > 0 ? tags : null;
}
