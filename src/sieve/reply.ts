/**
 * The messages the interpreter writes: the vacation reply (RFC 5230 section 5, RFC 3834) and the
 * rejection MDN (RFC 5429 section 2.2.1, RFC 8098), plus vacation's rules for when not to reply (RFC 5230
 * sections 4.5 and 4.6). CRLF line ends throughout.
 */
import { randomUUID } from 'node:crypto';
import { datePart } from './dates.js';
import { parseAddresses, splitAddress, type MessageView } from './message.js';
import type { SieveEnvelope } from './types.js';

/** encodeWord writes `s` as RFC 2047 encoded-words when it holds non-ASCII (RFC 5230 section 4.3), split at UTF-8 character boundaries. */
export function encodeWord(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.replace(/[\r\n]+/g, ' ');
  const words: string[] = [];
  let chunk = '';
  for (const ch of s.replace(/[\r\n]+/g, ' ')) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** rfc5322Date formats ms as an RFC 5322 date-time in UTC. */
export function rfc5322Date(ms: number): string {
  return datePart(ms, 0, 'std11')!;
}

function domainOf(address: string): string {
  return splitAddress(address).domain || 'localhost';
}

/** A sender that is a mail system or list robot, never a person (RFC 5230 section 4.6's list of addresses not to reply to). */
const ROBOT_LOCALPART = /^(mailer-daemon|listserv|majordomo|owner-.*|.*-request|.*-owner|bounce(s)?|.*-bounces?|no-?reply|postmaster-daemon)$/i;

/**
 * vacationSkipReason returns why no vacation reply may be sent (RFC 5230 sections 4.5 and 4.6), or null
 * when one may: the null sender, a robot sender, list or bulk mail, auto-submitted mail, the sender being
 * the user, or none of `myAddresses` in To, Cc, Bcc or Resent-To/Cc/Bcc.
 */
export function vacationSkipReason(msg: MessageView, envelope: SieveEnvelope, myAddresses: readonly string[]): string | null {
  const sender = envelope.from.trim();
  if (sender === '') return 'null envelope sender';
  if (ROBOT_LOCALPART.test(splitAddress(sender).localpart)) return `sender ${sender} is a mail robot`;
  for (const h of ['list-id', 'list-help', 'list-subscribe', 'list-unsubscribe', 'list-post', 'list-owner', 'list-archive']) {
    if (msg.has(h)) return `mailing list message (${h})`;
  }
  for (const v of msg.headerValues('precedence')) {
    if (/^\s*(bulk|list|junk)\s*$/i.test(v)) return `Precedence: ${v.trim()}`;
  }
  for (const v of msg.headerValues('auto-submitted')) {
    if (!/^\s*no\s*(;|$)/i.test(v)) return `Auto-Submitted: ${v.trim()}`;
  }
  const mine = new Set(myAddresses.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''));
  if (mine.has(sender.toLowerCase())) return 'message from the user';
  for (const h of ['to', 'cc', 'bcc', 'resent-to', 'resent-cc', 'resent-bcc']) {
    for (const v of msg.rawValues(h)) {
      for (const a of parseAddresses(v)) if (mine.has(a.all.toLowerCase())) return null;
    }
  }
  return 'message not addressed to the user';
}

/** VacationReply is what buildVacationReply needs. */
export interface VacationReply {
  from: string;
  to: string;
  subject: string;
  reason: string;
  mime: boolean;
  now: number;
}

/**
 * buildVacationReply writes the reply message (RFC 5230 section 5): From, To, Subject, In-Reply-To and
 * References from the original's Message-ID, Auto-Submitted: auto-replied (RFC 3834 section 5), Date,
 * Message-ID, MIME-Version; the reason as a UTF-8 text/plain body, or with :mime as the MIME entity given.
 */
export function buildVacationReply(msg: MessageView, r: VacationReply): Buffer {
  const lines: string[] = [];
  lines.push(`From: ${r.from}`, `To: ${r.to}`, `Subject: ${encodeWord(r.subject)}`);
  const messageId = msg.rawValues('message-id')[0]?.trim();
  if (messageId !== undefined && messageId !== '') {
    lines.push(`In-Reply-To: ${messageId}`);
    const refs = msg.rawValues('references')[0]?.trim() ?? msg.rawValues('in-reply-to')[0]?.trim();
    lines.push(`References: ${refs !== undefined && refs !== '' ? `${refs} ` : ''}${messageId}`);
  }
  lines.push('Auto-Submitted: auto-replied', `Date: ${rfc5322Date(r.now)}`, `Message-ID: <${randomUUID()}@${domainOf(splitAddress(extractAddress(r.from)).all)}>`, 'MIME-Version: 1.0');
  const reason = r.reason.replace(/\r?\n/g, '\r\n');
  if (r.mime) {
    // The reason is a MIME entity, headers and content, used as given (RFC 5230 section 4.4).
    return Buffer.from(`${lines.join('\r\n')}\r\n${reason}${reason.endsWith('\r\n') ? '' : '\r\n'}`, 'utf8');
  }
  lines.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${reason}${reason.endsWith('\r\n') ? '' : '\r\n'}`, 'utf8');
}

/** extractAddress returns the first address of a mailbox (list) string such as '"Name" <a@b>', or the string itself. */
export function extractAddress(s: string): string {
  return parseAddresses(s)[0]?.all ?? s.trim();
}

/** RejectMdn is what buildRejectMdn needs. */
export interface RejectMdn {
  reason: string;
  /** The final recipient (envelope to). */
  recipient: string;
  /** The envelope sender the MDN goes to. */
  to: string;
  now: number;
}

/**
 * buildRejectMdn writes the failure MDN that "reject" sends to the envelope sender (RFC 5429 section
 * 2.2.1): multipart/report; report-type=disposition-notification with the human-readable reason, the
 * disposition "automatic-action/MDN-sent-automatically; deleted" (RFC 8098 section 3.2.6) and the
 * original message's header.
 */
export function buildRejectMdn(msg: MessageView, r: RejectMdn): Buffer {
  const boundary = `sieve-reject-${randomUUID()}`;
  const subject = msg.headerValues('subject')[0] ?? '';
  const messageId = msg.rawValues('message-id')[0]?.trim();
  const recipient = r.recipient.trim();
  const header = [
    `From: Mail Delivery Subsystem <MAILER-DAEMON@${domainOf(recipient)}>`,
    `To: <${r.to}>`,
    `Subject: ${encodeWord(`Rejected: ${subject}`)}`,
    `Date: ${rfc5322Date(r.now)}`,
    `Message-ID: <${randomUUID()}@${domainOf(recipient)}>`,
    ...(messageId !== undefined && messageId !== '' ? [`In-Reply-To: ${messageId}`] : []),
    'Auto-Submitted: auto-replied (rejected)',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
  ];
  const reason = r.reason.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n');
  const notification = [
    `Reporting-UA: ${domainOf(recipient)}; Letterbox Sieve`,
    `Final-Recipient: rfc822; ${recipient}`,
    ...(messageId !== undefined && messageId !== '' ? [`Original-Message-ID: ${messageId}`] : []),
    'Disposition: automatic-action/MDN-sent-automatically; deleted',
  ];
  const before = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `Your message to ${recipient} was automatically rejected:\r\n${reason}`,
    `--${boundary}`,
    'Content-Type: message/disposition-notification',
    '',
    `${notification.join('\r\n')}\r\n`,
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    '',
  ];
  // The original header goes back byte for byte, 8-bit bytes and all.
  let end = headerEnd(msg.raw);
  while (end > 0 && (msg.raw[end - 1] === 0x0a || msg.raw[end - 1] === 0x0d)) end--;
  return Buffer.concat([
    Buffer.from(`${header.join('\r\n')}\r\n\r\n${before.join('\r\n')}`, 'utf8'),
    msg.raw.subarray(0, end),
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
}

function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return raw.length;
  if (crlf === -1) return lf;
  if (lf === -1) return crlf;
  return Math.min(crlf, lf);
}
