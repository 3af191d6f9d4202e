"""Drive SORT and THREAD (RFC 5256) with Python's standard imaplib over implicit TLS; print one JSON object.

Usage: imaplib_sort.py PORT CAFILE USER PASSWORD
The mailbox is filled beforehand by the calling test; this script only reads, through imaplib's sort(),
thread() and uid() methods, and reports each untagged answer as text.
"""
import imaplib
import json
import ssl
import sys

port, cafile, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
out = {}
m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx)
m.login(user, password)
# imaplib keeps the greeting's list; ask again after login.
caps = m.capability()[1][0].decode().split()
out["capabilities"] = sorted(c for c in caps if c.startswith(("SORT", "THREAD", "ESEARCH", "SEARCHRES", "WITHIN")))
out["exists"] = int(m.select("INBOX")[1][0])
text = lambda dat: [d.decode() for d in dat]
out["sort_date"] = text(m.sort("(DATE)", "UTF-8", "ALL")[1])
out["sort_subject"] = text(m.sort("SUBJECT", "UTF-8", "ALL")[1])
out["sort_reverse_from"] = text(m.sort("(REVERSE FROM)", "US-ASCII", "SUBJECT", '"budget"')[1])
out["uid_sort_displayfrom"] = text(m.uid("SORT", "(DISPLAYFROM)", "UTF-8", "1:12")[1])
out["thread_references"] = text(m.thread("REFERENCES", "UTF-8", "ALL")[1])
out["thread_orderedsubject"] = text(m.thread("ORDEREDSUBJECT", "UTF-8", "1:12")[1])
out["uid_thread_references"] = text(m.uid("THREAD", "REFERENCES", "UTF-8", "13:*")[1])
# imaplib raises on BAD only; a NO comes back as the result type.
typ, dat = m.sort("(DATE)", "KOI8-R", "ALL")
out["badcharset"] = [typ, text(dat)]
out["logout"] = m.logout()[0]
print(json.dumps(out))
