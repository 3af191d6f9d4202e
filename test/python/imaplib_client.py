"""Drive Letterbox with Python's standard imaplib over implicit TLS and print one JSON object of results.

Usage: imaplib_client.py PORT CAFILE USER PASSWORD
Appends two messages, then reads everything back the way a simple script would: LIST, SELECT, SEARCH,
FETCH (BODY.PEEK[], FLAGS, ENVELOPE, BODYSTRUCTURE), STORE, COPY, EXPUNGE, and IDLE is not used.
"""
import imaplib
import json
import ssl
import sys

port, cafile, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
out = {}
m = imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx)
out["login"] = m.login(user, password)[0]
out["capabilities"] = sorted(c for c in m.capabilities)
typ, boxes = m.list()
out["list"] = [b.decode() for b in boxes]
msg1 = b"From: Bob <bob@example.org>\r\nSubject: first\r\n\r\nHello from imaplib\r\n"
msg2 = b"From: Carol <carol@example.net>\r\nSubject: second\r\n\r\nAnother body\r\n"
out["append"] = [m.append("INBOX", r"(\Flagged)", None, msg1)[1][0].decode(), m.append("INBOX", None, None, msg2)[1][0].decode()]
typ, data = m.select("INBOX")
out["exists"] = int(data[0])
out["search_from"] = m.search(None, "FROM", '"carol"')[1][0].decode()
out["search_body"] = m.uid("SEARCH", None, "BODY", "imaplib")[1][0].decode()
typ, data = m.fetch("1", "(FLAGS BODY.PEEK[])")
out["fetch_body"] = data[0][1].decode()
out["fetch_head"] = data[0][0].decode()
typ, data = m.fetch("2", "(ENVELOPE BODYSTRUCTURE)")
out["fetch_struct"] = data[0].decode()
out["store"] = [d.decode() for d in m.store("2", "+FLAGS", r"(\Deleted)")[1]]
out["copy"] = m.copy("1", "Archive")[0]
out["expunge"] = [d.decode() for d in m.expunge()[1] if d]
out["status"] = m.status("Archive", "(MESSAGES UIDNEXT)")[1][0].decode()
out["logout"] = m.logout()[0]
print(json.dumps(out))
