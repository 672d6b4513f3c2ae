"""Generate tests/data/extract_shapes (run: python gen.py OUTDIR)."""
from __future__ import annotations
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import shape_a, shape_b, shape_c, shape_d

def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.eml"):
        old.unlink()
    labels = []
    def add(raw, kind, value, lang, shape, source, note, accept=None):
        n = len(labels) + 1
        name = f"{n:03d}.eml"
        (out / name).write_bytes(raw)
        lab = {"file": name, "kind": kind, "value": value, "lang": lang,
               "source": "synthetic, invented brand (waypost issue 13): " + source,
               "note": note, "shape": shape}
        if accept:
            lab["accept"] = accept
        labels.append(lab)
    for mod in (shape_a, shape_b, shape_c, shape_d):
        mod.build(add)
    (out / "labels.jsonl").write_text("".join(json.dumps(l, ensure_ascii=False) + "\n" for l in labels))
    print(len(labels), "emails")

main(Path(sys.argv[1]))
