/**
 * A fixed mailbox for SORT and THREAD tests: synthetic messages built to exercise base-subject extraction,
 * address and date keys and the REFERENCES algorithm, then real threads from ../shared/corpus/real (with
 * their own References chains), each with a fixed internal date. The expected results in sort.test.ts and
 * imaplib-sort.test.ts were checked against Dovecot 2.3.19 with the same messages (see sort.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { msg } from '../support/transcript.js';

/** Fixture: the message (CRLF) and its APPEND internal date. */
export interface Fixture {
  body: Buffer;
  date: string;
}

/** m is msg() as bytes (UTF-8). */
const m = (...lines: string[]): Buffer => Buffer.from(msg(...lines));

const day = (d: number, h = 10): string => `"${String(d).padStart(2, '0')}-Nov-2026 ${String(h).padStart(2, '0')}:00:00 +0000"`;

/** SYNTHETIC: sequence numbers 1 to 12 when appended first. */
export const SYNTHETIC: Fixture[] = [
  {
    date: day(3),
    body: m('From: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.org>', 'To: Bob <bob@example.org>', 'Cc: carol@example.net', 'Subject: Re: [team] Planning (fwd)',
      'Date: Tue, 3 Nov 2026 09:00:00 +0000', 'Message-ID: <p2@example.org>', 'In-Reply-To: <p1@example.org>', '', 'reply 1'),
  },
  {
    date: day(1),
    body: m('From: Alice <alice@example.com>', 'To: team@example.org', 'Subject: Planning', 'Date: Sun, 1 Nov 2026 09:00:00 +0000',
      'Message-ID: <p1@example.org>', '', 'Shall we plan?'),
  },
  {
    date: day(2),
    body: m('From: =?UTF-8?Q?Bj=C3=B6rn?= <bjorn@example.se>', 'To: "Zed, Z." <zed@example.org>', 'Subject: [Fwd: =?UTF-8?Q?Caf=C3=A9?= menu]',
      'Date: Mon, 2 Nov 2026 12:00:00 +0000', 'Message-ID: <c1@example.se>', '', 'see below'),
  },
  {
    date: day(4),
    body: m('From: dave@example.net', 'To: alice@example.com', 'Subject: caf\u00e9 MENU', 'Message-ID: <c2@example.net>', '', 'no Date header: sorted by internal date'),
  },
  {
    date: day(5),
    body: m('From: Alice <alice@example.com>', 'To: Bob <bob@example.org>', 'Subject: Re: Re: planning', 'Date: Wed, 4 Nov 2026 09:00:00 +0000',
      'Message-ID: <p3@example.org>', 'References: <p1@example.org>\r\n <p2@example.org>', '', 'reply 2'),
  },
  {
    date: day(6),
    body: m('From: Eve <eve@example.com>', 'To: alice@example.com', 'Subject: Lunch?', 'Date: Thu, 5 Nov 2026 09:00:00 +0000',
      'Message-ID: <l1@example.com>', 'References: <missing@example.com>', '', 'lunch'),
  },
  {
    date: day(7),
    body: m('From: bob@example.org', 'To: eve@example.com', 'Subject: RE: Lunch?', 'Date: Fri, 6 Nov 2026 09:00:00 +0000',
      'Message-ID: <l2@example.org>', 'References: <missing@example.com>', '', 'yes'),
  },
  {
    date: day(8),
    body: m('From: Mallory <mallory@example.com>', 'To: undisclosed-recipients:;', 'Date: Sat, 7 Nov 2026 09:00:00 +0000',
      'Message-ID: <x1@example.com>', '', 'no subject'),
  },
  {
    date: day(9),
    body: m('From: Carol <carol@example.net>', 'To: Alice <alice@example.com>', 'Cc: Bob <bob@example.org>, dave@example.net',
      'Subject: [list] Budget', 'Date: Tue, 03 Nov 2026 01:00:00 +0900', 'Message-ID: <b1@example.net>', '', 'sent 2 Nov 16:00 UTC'),
  },
  {
    date: day(10),
    body: m('From: carol@example.net', 'To: alice@example.com', 'Subject: Fw: budget', 'Date: Tue, 10 Nov 2026 09:00:00 +0000',
      'Message-ID: <b2@example.net>', '', 'forwarded, not a reply to anything'),
  },
  {
    date: day(11),
    body: m('From: "Al" <al@example.com>', 'To: bob@example.org', 'Subject: Budget', 'Date: Wed, 11 Nov 2026 09:00:00 +0000',
      'Message-ID: <b3@example.com>', '', 'x'.repeat(2000)),
  },
  {
    date: day(12),
    body: m('From: Alice <alice@example.com>', 'To: Bob <bob@example.org>', 'Subject: Planning', 'Date: Sun, 1 Nov 2026 09:00:00 +0000',
      'Message-ID: <p1@example.org>', '', 'the same Message-ID again, and the same date as message 2'),
  },
];

/** Real threads from the corpus (SpamAssassin ham, 2002): "find the biggest file", "Nessus?", "Java is for kiddies" in two threads, "mplayer"/"xmms". */
export const CORPUS_FILES = [
  '00102', '00103', '00104', '00108', '00114', '00115',
  '00910', '00911', '00912', '00923', '00150',
  '00051', '00209', '00210', '00214', '00054', '00211', '00212', '00213', '00226',
  '00148', '00913', '00914', '00915', '00925',
];

/** corpusFixtures reads CORPUS_FILES (LF converted to CRLF), with internal dates on consecutive days of Oct 2026. */
export function corpusFixtures(): Fixture[] {
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'real');
  return CORPUS_FILES.map((f, i) => ({
    body: Buffer.from(readFileSync(path.join(dir, `${f}.eml`), 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1'),
    date: `"${String(i + 1).padStart(2, '0')}-Oct-2026 10:00:00 +0000"`,
  }));
}
