"""Drive Letterbox's POP3 with Python's standard poplib and print one JSON object of results.

Usage: poplib_client.py MODE POP3_PORT IMAPS_PORT CAFILE USER PASSWORD
MODE is "stls" (POP3 on the cleartext port, then STLS) or "tls" (POP3_SSL on the implicit-TLS port); the
certificate is verified either way. The session does what a download script does: CAPA, USER/PASS, STAT,
LIST, UIDL, RETR and TOP of every message, an error, DELE, RSET, DELE again, NOOP, QUIT. Every RETR is
also fetched as BODY.PEEK[] with imaplib, so the test can check both clients got the same octets.
Message data is printed as base64.
"""
import base64
import imaplib
import json
import poplib
import ssl
import sys

mode, port, imaps_port, cafile, user, password = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
ctx = ssl.create_default_context(cafile=cafile)
out = {}
if mode == "tls":
    p = poplib.POP3_SSL("localhost", port, context=ctx)
else:
    p = poplib.POP3("localhost", port)
    out["capa_before_tls"] = sorted(p.capa().keys())
    out["stls"] = p.stls(ctx).decode()
out["welcome"] = p.getwelcome().decode()
out["capa"] = {k: v for k, v in sorted(p.capa().items())}
out["user"] = p.user(user).decode()
out["pass"] = p.pass_(password).decode()
out["stat"] = list(p.stat())
resp, lines, octets = p.list()
out["list"] = [resp.decode(), [l.decode() for l in lines]]
resp, lines, octets = p.uidl()
out["uidl"] = [resp.decode(), [l.decode() for l in lines]]
count = out["stat"][0]
out["retr"] = []
for n in range(1, count + 1):
    resp, lines, octets = p.retr(n)
    out["retr"].append({"resp": resp.decode(), "octets": octets, "data": base64.b64encode(b"".join(l + b"\r\n" for l in lines)).decode()})
resp, lines, octets = p.top(1, 1)
out["top"] = [resp.decode(), [l.decode("latin1") for l in lines]]
try:
    p.retr(count + 1)
except poplib.error_proto as e:
    out["retr_missing"] = e.args[0].decode()
out["dele"] = p.dele(2).decode()
try:
    p.top(2, 0)
except poplib.error_proto as e:
    out["top_deleted"] = e.args[0].decode()
out["rset"] = p.rset().decode()
out["dele_again"] = p.dele(2).decode()
out["noop"] = p.noop().decode()
out["quit"] = p.quit().decode()

m = imaplib.IMAP4_SSL("localhost", imaps_port, ssl_context=ctx)
m.login(user, password)
m.select("INBOX", readonly=True)
typ, data = m.fetch("1:*", "(UID BODY.PEEK[])")
out["imap_body"] = {}
for item in data:
    if isinstance(item, tuple):
        uid = item[0].decode().split("UID ")[1].split(" ")[0]
        out["imap_body"][uid] = base64.b64encode(item[1]).decode()
m.logout()
print(json.dumps(out))
