"""Drive Letterbox's extensions with Python's standard imaplib over implicit TLS; print one JSON object.

Usage: imaplib_extensions.py PORT CAFILE USER PASSWORD
AUTHENTICATE PLAIN and LOGIN (SASL), ID (through xatom), NAMESPACE, ENABLE UTF8=ACCEPT with a UTF-8
mailbox name, APPEND (UIDPLUS), UID MOVE (RFC 6851), UNSELECT, STATUS with SIZE and MAILBOXID.
"""
import imaplib
import json
import ssl
import sys

port, cafile, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
out = {}


def connect():
    return imaplib.IMAP4_SSL("localhost", port, ssl_context=ctx)


m = connect()
out["plain"] = m.authenticate("PLAIN", lambda _: f"\0{user}\0{password}".encode())[0]
m.logout()

m = connect()
challenges = []


def login_answer(challenge):
    challenges.append(challenge.decode())
    return (user if challenge == b"Username:" else password).encode()


out["login"] = m.authenticate("LOGIN", login_answer)[0]
out["challenges"] = challenges
out["id_ok"] = m.xatom("ID", '("name" "imaplib")')[0]
out["id"] = [d.decode() for d in m.response("ID")[1]]
out["namespace"] = m.namespace()[1][0].decode()
# Before ENABLE UTF8=ACCEPT: after it, imaplib 3.11 puts "UTF8 (...)" inside a plain literal (its own bug).
msg = b"From: Bob <bob@example.org>\r\nSubject: move me\r\n\r\nHello\r\n"
out["append"] = m.append("INBOX", None, None, msg)[1][0].decode()
out["enable"] = m.enable("UTF8=ACCEPT")[0]
out["create"] = m.create('"Grüße"')[0]
typ, boxes = m.list('""', '"Gr*"')
out["list"] = [b.decode() for b in boxes]
m.select("INBOX")
out["move"] = m.uid("MOVE", "3", '"Grüße"')[0]
out["move_expunge"] = [d.decode() for d in m.response("EXPUNGE")[1] if d]
out["move_copyuid"] = [d.decode() for d in m.response("COPYUID")[1] if d]
out["unselect"] = m.unselect()[0]
out["status"] = m.status('"Grüße"', "(MESSAGES SIZE MAILBOXID)")[1][0].decode()
out["logout"] = m.logout()[0]
print(json.dumps(out, ensure_ascii=False))
