"""Benchmark the extraction engine over a labelled corpus folder, then on hostile input.

Usage: python bench/extraction.py [DIR]   (DIR defaults to /work/shared/corpus/dev)

The hostile figures (issue 10) time ``extract(..., "auto")`` on bodies of digits and
spaces (``"123456 " * n``) and other adversarial shapes; before the engine was bounded,
24 kB of digits took ~11 s and 96 kB ~68 s.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from waypost.extract import Extraction, MailContent, content_from_bytes, extract

HOSTILE = {
    "digits+spaces": lambda n: ("123456 " * (n // 7), False),
    "one line of digits": lambda n: ("1" * n, False),
    "code-like tokens": lambda n: ("Your code: A1B2C3 or 482913. " * (n // 29), False),
    "urls": lambda n: ("https://x.example/verify?token=Ab12Cd34Ef56&u=1 " * (n // 50), False),
    "html <b>123456</b>": lambda n: ("<b>123456</b> " * (n // 14), True),
}


def hostile() -> None:
    """Time the engine on adversarial bodies of 24 kB, 96 kB and 1 MB (best of 3)."""
    print("hostile input (extract auto, best of 3):")
    for name, make in HOSTILE.items():
        row = []
        for n in (24_000, 96_000, 1_000_000):
            body, html = make(n)
            content = MailContent(
                subject="Your code", text=None if html else body, html=body if html else None
            )
            best = float("inf")
            for _ in range(3):
                t0 = time.perf_counter()
                extract(content, "auto")
                best = min(best, time.perf_counter() - t0)
            row.append(f"{n // 1000:>5} kB {best * 1e3:6.0f} ms")
        print(f"  {name:20s} " + "  ".join(row))


def _norm(value: str) -> str:
    return value.strip()


def is_right(kind: str, result: Extraction, label: dict[str, object]) -> bool:
    """Whether an extraction counts as right for a label (none: no value or confidence < 0.5)."""
    if kind == "none":
        return result.value is None or result.confidence < 0.5
    if result.value is None:
        return False
    accepted = {str(label["value"])}
    if label.get("target"):
        accepted.add(str(label["target"]))
    accepted.update(str(a) for a in label.get("accept") or [])  # type: ignore[attr-defined]
    answer = _norm(result.value)
    if kind == "otp":  # a code is right typed with or without its spaces and dashes
        accepted = {a.replace(" ", "").replace("-", "") for a in accepted}
        answer = answer.replace(" ", "").replace("-", "")
    return answer in accepted


def ece(pairs: list[tuple[float, bool]], bins: int = 10) -> float:
    """Expected calibration error over equal-width confidence bins."""
    if not pairs:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        sel = [(c, ok) for c, ok in pairs if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if sel:
            acc = sum(ok for _, ok in sel) / len(sel)
            conf = sum(c for c, _ in sel) / len(sel)
            total += len(sel) / len(pairs) * abs(acc - conf)
    return total


def main(argv: list[str]) -> int:
    """Run the benchmark and print a summary; returns a process exit code."""
    args = [a for a in argv[1:] if not a.startswith("-")]
    folder = Path(args[0] if args else "/work/shared/corpus/dev")
    labels = [
        json.loads(line)
        for line in (folder / "labels.jsonl").read_text().splitlines()
        if line.strip()
    ]
    per_kind: dict[str, list[bool]] = {}
    pairs: list[tuple[float, bool]] = []
    wrong_confident: list[str] = []
    timings: list[float] = []
    verbose = "-v" in argv
    for label in labels:
        raw = (folder / label["file"]).read_bytes()
        kind = label["kind"]
        mode: Literal["otp", "magic_link", "auto"] = (
            "otp" if kind == "otp" else "magic_link" if kind == "magic_link" else "auto"
        )
        t0 = time.perf_counter()
        content = content_from_bytes(raw)
        result = extract(content, mode)
        timings.append((time.perf_counter() - t0) * 1e6)
        ok = is_right(kind, result, label)
        per_kind.setdefault(kind, []).append(ok)
        if kind == "none":
            # calibration: any value taken from a none email is wrong
            if result.value is not None:
                pairs.append((result.confidence, False))
        else:
            pairs.append((result.confidence, ok))
        if result.value is not None and result.confidence >= 0.9 and (kind == "none" or not ok):
            wrong_confident.append(label["file"])
        if verbose or not ok:
            print(
                f"{'ok ' if ok else 'BAD'} {label['file']} {kind:10s} "
                f"conf={result.confidence:.3f} value={str(result.value)[:70]}"
            )
    # timing: repeat to get stable numbers
    raws = [(folder / lb["file"]).read_bytes() for lb in labels]
    loop: list[float] = []
    for _ in range(20):
        for raw in raws:
            t0 = time.perf_counter()
            extract(content_from_bytes(raw), "auto")
            loop.append((time.perf_counter() - t0) * 1e6)
    loop.sort()
    total = sum(len(v) for v in per_kind.values())
    print(f"corpus: {folder} ({total} emails)")
    for kind in sorted(per_kind):
        v = per_kind[kind]
        print(f"  {kind:10s} exact {sum(v)}/{len(v)} = {sum(v) / len(v):.1%}")
    right = sum(sum(v) for v in per_kind.values())
    print(f"  overall    {right}/{total} = {right / max(total, 1):.1%}")
    print(f"wrong answers at confidence >= 0.9: {len(wrong_confident)} {wrong_confident}")
    print(f"expected calibration error (10 bins): {ece(pairs):.3f}")
    print(
        f"time per email (parse+extract auto): median {statistics.median(loop):.0f} us, "
        f"mean {statistics.fmean(loop):.0f} us, p99 {loop[int(len(loop) * 0.99) - 1]:.0f} us"
    )
    hostile()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
