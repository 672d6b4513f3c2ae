import email, html, json, sys
from email import policy
from pathlib import Path
from collections import Counter
d = Path(sys.argv[1])
labels = [json.loads(l) for l in (d/"labels.jsonl").read_text().splitlines() if l.strip()]
def texts(msg):
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            out.append(part.get_content())
        if part.get_content_type() == "message/rfc822":
            pass  # walk() descends
    return out
bad = 0
for lb in labels:
    m = email.message_from_bytes((d/lb["file"]).read_bytes(), policy=policy.default)
    if m.defects: print(lb["file"], "defects", m.defects)
    ts = texts(m)
    for p in m.walk():
        if p.defects: print(lb["file"], "part defects", p.get_content_type(), p.defects)
    if lb["value"] is not None:
        for t in ts:
            if lb["value"] not in html.unescape(t):
                print("MISSING", lb["file"], lb["value"][:40], "in a", "html" if "<" in t[:200] else "text", "part"); bad += 1
    subj = m["subject"]
    print(lb["file"], lb["shape"], lb["kind"], lb["lang"], len(ts), "parts |", subj)
print(Counter(l["shape"] for l in labels)); print(Counter(l["lang"] for l in labels))
print(Counter((l["shape"], l["kind"]) for l in labels))
