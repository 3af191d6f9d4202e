"""
Regroups the differences of a comparison run into test/dovecot/difference-cases.ts.

Usage: DOVECOT_COMPARE_REPORT=/tmp/diff.json node --import tsx --test test/dovecot/compare.test.ts
       python3 test/dovecot/group-differences.py /tmp/diff.json

Each group's test is written out below; cases a checked rule explains (RULES in differences.ts) and the
hand-written cases of differences.ts (FIXED) are left out. Review the diff of difference-cases.ts before
committing it: a case left in UNSORTED (not imported by differences.ts) fails the test: fix it or give it a group with its RFC passage.
"""
import collections
import json
import os
import re
import sys

d = json.load(open(sys.argv[1]))
HERE = os.path.dirname(os.path.abspath(__file__))
C = os.environ.get('LETTERBOX_CORPUS', os.path.join(HERE, '..', '..', '..', 'shared', 'corpus')) + '/'
def has_date(m):
    raw=open(C+m,'rb').read().replace(b'\r\n',b'\n')
    return re.search(rb'(?mi)^Date:',raw.split(b'\n\n',1)[0]) is not None
def lines_only(L,D):
    if re.sub(r'\b\d+\b','N',L)!=re.sub(r'\b\d+\b','N',D): return False
    tl=re.findall(r'"(?:[^"\\]|\\.)*"|\b\d+\b|\S',L); td=re.findall(r'"(?:[^"\\]|\\.)*"|\b\d+\b|\S',D)
    if len(tl)!=len(td): return False
    for i,(a,b) in enumerate(zip(tl,td)):
        if a==b: continue
        prev=tl[i-1]
        # body-fld-lines follows body-fld-octets (a number) in a text part, or the body of a message/rfc822 part (")")
        if not (a.isdigit() and b.isdigit() and int(a)==int(b)+1 and ((prev.isdigit() and td[i-1]==prev) or prev==')')): return False
    return True
def ws(v): return ' '.join(v.replace('\\t',' ').split())
def reencoded(v):
    try: return v.encode('latin1').decode('utf8')
    except Exception: return None
no_boundary={'tricky/00007.eml','tricky/00102.eml'}
FIXED={'* SEARCH BODY Verfügung (sent as ISO-8859-1)','tricky/00067.eml SEARCH SENTSINCE 1-Jan-2009','tricky/00099.eml BINARY.SIZE[3] status','tricky/00099.eml BINARY[3] status','tricky/00071.eml BINARY.SIZE[1] status','tricky/00099.eml BINARY.SIZE[6] status','tricky/00106.eml BINARY.SIZE[1] status','tricky/00099.eml BINARY[6] status','tricky/00106.eml BINARY[1] status'}
invalid_ct={'tricky/00110.eml BINARY[2]','tricky/00144.eml BINARY[2]'}
boundary_lines={'tricky/00006.eml','tricky/00008.eml','tricky/00024.eml','tricky/00066.eml','tricky/00067.eml','tricky/00069.eml','tricky/00094.eml','tricky/00114.eml'}
several={'tricky/00040.eml BODYSTRUCTURE','tricky/00040.eml BODY','tricky/00075.eml BODYSTRUCTURE','tricky/00079.eml BODYSTRUCTURE','tricky/00079.eml BODY'}
invalid_ct_msgs={'tricky/00110.eml','tricky/00144.eml'}
to_nohost={'tricky/00018.eml','tricky/00034.eml','tricky/00043.eml','tricky/00190.eml'}
g=collections.defaultdict(list)
for x in d:
    if x.get('rule'): continue
    m,it,L,D=x['message'],x['item'],x['letterbox'],x['dovecot']
    key=f'{m} {it}'
    if key in FIXED: continue
    if m in no_boundary and it not in ('ENVELOPE','SEARCH SENTBEFORE 1-Jan-2002','SEARCH BODY "Content-Type"'): g['MULTIPART_WITHOUT_BOUNDARY'].append(key)
    elif it=='SEARCH SENTBEFORE 1-Jan-2002' and not has_date(m) and L=='not found': g['NO_DATE_FIELD'].append(m)
    elif it=='SEARCH TO "@"' and m in to_nohost: g['TO_WITHOUT_HOST'].append(m)
    elif it=='ENVELOPE' and ws(L)==ws(D): g['ENVELOPE_WHITESPACE'].append(m)
    elif it in ('ENVELOPE','BODYSTRUCTURE','BODY') and reencoded(L)==D: g['HEADER_8BIT_AS_UTF8'].append(key)
    elif it=='SEARCH BODY "Content-Type"' and L=='found' and D=='not found': g['BODY_HAS_PART_HEADERS'].append(m)
    elif it.startswith('BINARY') and it.endswith(' status') and D.startswith('CLOSED'): g['BINARY_DROPPED'].append(f'{m} {it[:-7]}')
    elif key in invalid_ct: g['INVALID_CONTENT_TYPE_IS_TEXT'].append(key)
    elif it.startswith('BINARY') and it.endswith(' status') and D.startswith('NO [PARSE]') and L.startswith('OK'): g['BINARY_PARSE_REFUSED'].append(key)
    elif it in ('BODY','BODYSTRUCTURE') and L.lower()==D.lower() and D.startswith('("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" '): g['DOVECOT_DEFAULT_TEXT_PLAIN'].append(key)
    elif it in ('BODY','BODYSTRUCTURE') and lines_only(L,D): g['LAST_LINE_UNTERMINATED'].append(key)
    elif it=='SEARCH SENTBEFORE 1-Jan-2002' and L=='not found': g['UNREADABLE_DATE'].append(m)
    elif it in ('ENVELOPE','BODYSTRUCTURE','BODY') and reencoded(L) not in (None,L) and ws(reencoded(L))==ws(D): g['HEADER_8BIT_AS_UTF8'].append(key)
    elif it in ('BODYSTRUCTURE','BODY') and ws(L)==ws(D): g['ENVELOPE_WHITESPACE_IN_STRUCTURE'].append(key)
    elif m in boundary_lines: g['DELIMITER_LINES'].append(key)
    elif m in invalid_ct_msgs and (it.startswith('BINARY') or it in ('BODYSTRUCTURE','BODY')): g['INVALID_CONTENT_TYPE_IS_TEXT'].append(key)
    elif it.startswith('BODY[') and D.startswith(L[:-1]) and D==L[:-1]+'\\r\\n"': g['CONTAINER_ENDS_BEFORE_DELIMITER'].append(key)
    elif it in ('BODY','BODYSTRUCTURE') and re.sub(r'\b\d+\b','N',L)==re.sub(r'\b\d+\b','N',D): g['CONTAINER_ENDS_BEFORE_DELIMITER'].append(key)
    elif it in ('SEARCH BODY "unsubscribe"','SEARCH OR BODY "unsubscribe" SUBJECT "free"') and L=='found': g['BODY_HAS_PART_HEADERS_ITEMS'].append(key)
    elif it=='SEARCH SENTBEFORE 1-Jan-2002' and L=='not found': g['UNREADABLE_DATE'].append(m)
    elif it in ('SEARCH TO "@"','SEARCH BCC "@"') and L=='not found': g['PLACEHOLDER_AT'].append(key)
    elif m=='*' and it.startswith(('SORT (DATE)','SORT (REVERSE DATE)','THREAD')): g['SORT_DATE_PAST_2038'].append(key)
    elif m=='*' and 'SUBJECT' in it: g['SORT_8BIT_SUBJECT'].append(key)
    elif key in several: g['SEVERAL_REASONS'].append(key)
    else: g['UNSORTED'].append(key)
docs={
 'NO_DATE_FIELD':'messages without a Date: header field.',
 'ENVELOPE_WHITESPACE':'messages whose envelope differs only in whitespace kept after unfolding.',
 'BODY_HAS_PART_HEADERS':'messages with "Content-Type" only in MIME part headers.',
 'BINARY_DROPPED':'"message BINARY.SIZE[n]" and "message BINARY[n]" where Dovecot closed the connection.',
 'TO_WITHOUT_HOST':'messages whose To field has no domain ("To: baz", "To: \\"\\"<>").',
 'LAST_LINE_UNTERMINATED':'"message item" where the body structures differ only in body-fld-lines, by one.',
 'HEADER_8BIT_AS_UTF8':'"message item" where Letterbox sends raw 8-bit header bytes re-encoded as UTF-8.',
 'DOVECOT_DEFAULT_TEXT_PLAIN':'"message item" of one-part text/plain us-ascii 7bit messages, which Dovecot writes in its default spelling.',
 'MULTIPART_WITHOUT_BOUNDARY':'"message item" of messages whose multipart Content-Type has no boundary parameter.',
 'BINARY_PARSE_REFUSED':'"message BINARY.SIZE[n] status" and "message BINARY[n] status" where Dovecot answers NO [PARSE] and Letterbox decodes the part.',
 'INVALID_CONTENT_TYPE_IS_TEXT':'"message BINARY[n]" of parts whose Content-Type is unparsable.',
 'ENVELOPE_WHITESPACE_IN_STRUCTURE':'"message item" whose body structures differ only in whitespace kept after unfolding (in an embedded envelope).',
 'DELIMITER_LINES':'"message item" of messages whose delimiter lines Letterbox and Dovecot find differently (text after the boundary, reused or over-long boundaries).',
 'CONTAINER_ENDS_BEFORE_DELIMITER':'"message item" where Dovecot keeps in a multipart or message/rfc822 part the line break before the next delimiter.',
 'BODY_HAS_PART_HEADERS_ITEMS':'"message item" of SEARCH BODY matching only header fields of an embedded message.',
 'UNREADABLE_DATE':'messages whose Date: field holds no date Letterbox reads (years 0102 and 3609).',
 'PLACEHOLDER_AT':'"message item" of SEARCH TO/BCC "@" where the field has no "@" and Dovecot matches its own placeholder.',
 'SORT_DATE_PAST_2038':'"* item" of SORT and THREAD orders that differ by the year-3609 message.',
 'SORT_8BIT_SUBJECT':'"* item" of SORT orders that differ by subjects in raw 8-bit octets.',
 'SEVERAL_REASONS':'"message item" whose body structures differ in several of the ways explained by other groups at once.',
 'UNSORTED':'differences not yet sorted into a group: the test fails while any is left.',
}
hdr='''/**
 * The cases (corpus message and item) of each group in differences.ts, listed one by one so that
 * a difference on any other message or item is not covered. Written by test/dovecot/group-differences.py
 * from a comparison run (DOVECOT_COMPARE_REPORT); the reason of each group is in differences.ts.
 */
'''
out=hdr
for k in ['NO_DATE_FIELD','ENVELOPE_WHITESPACE','BODY_HAS_PART_HEADERS','BINARY_DROPPED','BINARY_PARSE_REFUSED','TO_WITHOUT_HOST','LAST_LINE_UNTERMINATED','DOVECOT_DEFAULT_TEXT_PLAIN','HEADER_8BIT_AS_UTF8','MULTIPART_WITHOUT_BOUNDARY','INVALID_CONTENT_TYPE_IS_TEXT','ENVELOPE_WHITESPACE_IN_STRUCTURE','DELIMITER_LINES','CONTAINER_ENDS_BEFORE_DELIMITER','BODY_HAS_PART_HEADERS_ITEMS','UNREADABLE_DATE','PLACEHOLDER_AT','SORT_DATE_PAST_2038','SORT_8BIT_SUBJECT','SEVERAL_REASONS','UNSORTED']:
    q=lambda v: "'"+v.replace('\\','\\\\').replace("'","\\'")+"'"
    out+=f"\n/** {k}: {docs[k]} */\nexport const {k}: string[] = [\n"+''.join(f"  {q(v)},\n" for v in g[k])+"];\n"
open(os.path.join(HERE, 'difference-cases.ts'),'w').write(out)
print({k: len(v) for k, v in g.items()})
