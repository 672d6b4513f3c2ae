"""Refit the extraction engine's confidence calibration and report it (issue 13, point 2).

Usage: .venv/bin/python bench/calibrate.py [--no-write] [--no-plot]

1. Loads every labelled set in the repo (:func:`load_all`): the dev corpus
   (/work/shared/corpus/dev), ``tests/extract/cases.py``, ``test_heldout.py``,
   ``blind_cases.py`` and ``adversarial_cases.py``. ``tests/data/extract_shapes/`` is left
   out on purpose: it is a blind set kept for judging the engine, never for fitting.
2. Runs the engine (raw, uncalibrated confidence) on every case.
3. Splits the sets the rules were *not* written from (held-out, blind, adversarial) by a
   hash of the case id into a fitted half and a held-back half; the sets the rules were
   written from (cases.py, dev corpus) are only reported.
4. Fits a monotone map raw score → P(right) on the fitted half (pool-adjacent-violators
   with a Beta prior, see :mod:`waypost.extract.calibration`) and writes it to
   ``waypost/extract/calibration.json``.
5. Prints ECE overall and per language family, before and after, on each part; draws the
   reliability diagram of the held-back part to ``docs/reliability.png``.

Rerun it whenever the engine's rules change: the map belongs to one version of the rules.
"""

from __future__ import annotations

import hashlib
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from waypost.extract import Extraction, MailContent, content_from_bytes  # noqa: E402
from waypost.extract import calibration as cal  # noqa: E402
from waypost.extract.links import extract_magic_link  # noqa: E402
from waypost.extract.otp import extract_otp  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from extraction import ece  # noqa: E402  (the figure bench/extraction.py prints)

Mode = Literal["otp", "magic_link", "auto"]
CORPUS = Path("/work/shared/corpus/dev")
PNG = ROOT / "docs" / "reliability.png"

# Sets the engine's rules were written from (tuned on until they passed): reported, never fitted.
DEV_SETS = ("corpus-dev", "cases")
# Sets written before their authors read the engine: split into fitted / held-back halves.
BLIND_SETS = ("heldout", "blind", "adversarial")
FIT_SHARE = 50  # percent of the blind sets' cases (by id hash) used for the fit

FAMILIES = ("latin-west", "slavic", "cjk", "other")
_FAMILY_OF = {
    # Germanic and Romance languages written in Latin script
    **dict.fromkeys("en de fr es it pt nl sv da no nb nn is ca gl ro lb af".split(), "latin-west"),
    # Slavic languages, Cyrillic (ru uk bg sr mk be) or Latin (pl cs sk hr sl bs) script
    **dict.fromkeys("ru uk bg sr mk be pl cs sk hr sl bs".split(), "slavic"),
    **dict.fromkeys("ja zh ko".split(), "cjk"),
}


def family(lang: str) -> str:
    """Language family of an ISO 639-1 code; anything not listed above is ``other``."""
    return _FAMILY_OF.get(lang.lower().split("-")[0], "other")


@dataclass(frozen=True)
class Labelled:
    """One labelled email, asked in one mode."""

    id: str  # "<set>/<name>", or "<set>/<name>@<mode>" for a negative asked in another mode
    set: str
    kind: str  # otp | magic_link | none
    value: str | None
    accepted: tuple[str, ...]  # every right value (the label, a tracker's target, …)
    lang: str
    mode: Mode
    raw: bytes | None = None
    content: MailContent | None = None

    @property
    def family(self) -> str:
        return family(self.lang)

    @property
    def group(self) -> str:
        """``dev`` (rules written from it), else ``fit`` or ``held`` by a hash of the case id."""
        if self.set in DEV_SETS:
            return "dev"
        base = self.id.split("@")[0]  # a negative's extra modes stay on its side of the split
        h = int.from_bytes(hashlib.sha256(base.encode()).digest()[:4], "big")
        return "fit" if h % 100 < FIT_SHARE else "held"

    def mail(self) -> MailContent:
        if self.content is not None:
            return self.content
        assert self.raw is not None
        return content_from_bytes(self.raw)


# ------------------------------------------------------------------ language of unlabelled sets

_ISO = set(
    "de fr es pt it nl sv da no fi ja zh ko ru uk pl cs sk tr hu ro ar he hi th vi id el".split()
)
_NAMES = {
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "portuguese": "pt",
    "italian": "it",
    "dutch": "nl",
    "swedish": "sv",
    "czech": "cs",
    "polish": "pl",
    "ukrainian": "uk",
    "russian": "ru",
    "greek": "el",
    "hebrew": "he",
    "hindi": "hi",
    "thai": "th",
    "vietnamese": "vi",
    "indonesian": "id",
    "turkish": "tr",
    "japanese": "ja",
    "chinese": "zh",
    "korean": "ko",
    "arabic": "ar",
}
_SCRIPTS = (  # (unicodedata name prefix, language it stands for in these sets)
    ("HIRAGANA", "ja"),
    ("KATAKANA", "ja"),
    ("HANGUL", "ko"),
    ("CJK UNIFIED", "zh"),
    ("CYRILLIC", "ru"),
    ("ARABIC", "ar"),
    ("HEBREW", "he"),
    ("GREEK", "el"),
    ("DEVANAGARI", "hi"),
    ("THAI", "th"),
)


def _script_lang(text: str) -> str | None:
    counts: dict[str, int] = {}
    for ch in text:
        if ord(ch) < 0x370:
            continue
        name = unicodedata.name(ch, "")
        for prefix, lang in _SCRIPTS:
            if name.startswith(prefix):
                counts[lang] = counts.get(lang, 0) + 1
                break
    if not counts:
        return None
    if counts.get("ja") and counts.get("zh"):  # kana with kanji is Japanese
        return "ja"
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] >= 3 else None


def guess_lang(name: str, content: MailContent) -> str:
    """Language of a case in a set without a ``lang`` field.

    The case names say it (``de_bank``, ``h_pl``, ``n_pl_order``, ``otp_greek``); else the
    script of the subject and body; else English.
    """
    tokens = name.lower().split("_")
    head = tokens[1] if tokens[0] in ("h", "n") and len(tokens) > 1 else tokens[0]
    if head in _ISO:
        return head
    for t in tokens:
        if t in _NAMES:
            return _NAMES[t]
    text = " ".join(x for x in (content.subject, content.text, content.html) if x)
    return _script_lang(text) or "en"


# ------------------------------------------------------------------------------ the loaders


def _mode(kind: str) -> Mode:
    return "otp" if kind == "otp" else "magic_link" if kind == "magic_link" else "auto"


def load_corpus(folder: Path = CORPUS) -> list[Labelled]:
    """The dev corpus: ``NNN.eml`` files and ``labels.jsonl`` (empty when absent)."""
    path = folder / "labels.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        lb = json.loads(line)
        acc = tuple(str(v) for v in (lb.get("value"), lb.get("target")) if v)
        out.append(
            Labelled(
                id=f"corpus-dev/{lb['file']}",
                set="corpus-dev",
                kind=lb["kind"],
                value=lb.get("value"),
                accepted=acc,
                lang=lb.get("lang", "en"),
                mode=_mode(lb["kind"]),
                raw=(folder / lb["file"]).read_bytes(),
            )
        )
    return out


def load_cases() -> list[Labelled]:
    """``tests/extract/cases.py`` and ``test_heldout.py`` (decoded MailContent, no lang)."""
    from tests.extract.cases import ALL_CASES
    from tests.extract.test_heldout import HELDOUT

    out = []
    for set_name, cases in (("cases", ALL_CASES), ("heldout", HELDOUT)):
        for c in cases:
            out.append(
                Labelled(
                    id=f"{set_name}/{c.name}",
                    set=set_name,
                    kind=c.kind,
                    value=c.expected,
                    accepted=tuple(v for v in (c.expected, *c.accept) if v),
                    lang=guess_lang(c.name, c.content),
                    mode=_mode(c.kind),
                    content=c.content,
                )
            )
    return out


def load_blind() -> list[Labelled]:
    """``tests/extract/blind_cases.py`` (raw messages with a lang and, sometimes, a mode)."""
    from tests.extract.blind_cases import ALL

    return [
        Labelled(
            id=f"blind/{c.name}",
            set="blind",
            kind=c.kind,
            value=c.value,
            accepted=tuple(v for v in (c.value, *c.accept) if v),
            lang=c.lang,
            mode=c.mode,  # type: ignore[arg-type]
            raw=c.raw,
        )
        for c in ALL
    ]


def load_adversarial() -> list[Labelled]:
    """``tests/extract/adversarial_cases.py`` (raw messages, no lang)."""
    from tests.extract.adversarial_cases import CASES

    out = []
    for c in CASES:
        content = content_from_bytes(c.raw)
        out.append(
            Labelled(
                id=f"adversarial/{c.name}",
                set="adversarial",
                kind=c.kind,
                value=c.value,
                accepted=tuple(v for v in (c.value, c.target) if v),
                lang=guess_lang(c.name, content),
                mode=_mode(c.kind),
                raw=c.raw,
            )
        )
    return out


def load_all(negative_modes: bool = True) -> list[Labelled]:
    """Every labelled set in the repo; with ``negative_modes``, each ``none`` email is also
    asked as an OTP wait and a magic-link wait would ask it (ids ``…@otp``, ``…@magic_link``).
    """
    cases = load_corpus() + load_cases() + load_blind() + load_adversarial()
    if negative_modes:
        extra = [
            Labelled(**{**c.__dict__, "id": f"{c.id}@{m}", "mode": m})
            for c in cases
            if c.kind == "none"
            for m in ("otp", "magic_link")
            if m != c.mode
        ]
        cases += extra
    return cases


# ------------------------------------------------------------------------------ scoring


def raw_extract(mail: MailContent, mode: Mode) -> Extraction:
    """What the engine returns before calibration (``extract`` without the hook)."""
    if mode == "otp":
        return extract_otp(mail)
    if mode == "magic_link":
        return extract_magic_link(mail)
    otp, link = extract_otp(mail), extract_magic_link(mail)
    return link if link.confidence > otp.confidence else otp


def is_right(case: Labelled, value: str | None) -> bool:
    """Like bench/extraction.py ``is_right``, except that for ``none`` any value is wrong."""
    if value is None or case.kind == "none":
        return False
    accepted = set(case.accepted)
    if case.kind == "otp":
        accepted = {a.replace(" ", "").replace("-", "") for a in accepted}
    return value.strip() in accepted


@dataclass(frozen=True)
class Scored:
    case: Labelled
    value: str | None
    raw: float  # the engine's confidence before calibration
    right: bool


def score(cases: Iterable[Labelled]) -> list[Scored]:
    """Run the uncalibrated engine on every case."""
    out = []
    for c in cases:
        r = raw_extract(c.mail(), c.mode)
        out.append(Scored(c, r.value, r.confidence, is_right(c, r.value)))
    return out


def pairs(
    rows: Iterable[Scored], f: Callable[[float], float] = lambda x: x
) -> list[tuple[float, bool]]:
    """(confidence, right) for every answer given: a case without a value is not a claim
    (a ``none`` email answered with nothing is right and confident of nothing), as in
    bench/extraction.py; a positive case with no value counts as wrong at confidence 0.
    """
    out = []
    for s in rows:
        if s.case.kind == "none" and s.value is None:
            continue
        out.append((f(s.raw) if s.value is not None else 0.0, s.right))
    return out


def confident_wrong(rows: Iterable[Scored], f: Callable[[float], float]) -> list[str]:
    """Ids of cases answered with a wrong value at (mapped) confidence >= 0.9."""
    return [s.case.id for s in rows if s.value is not None and not s.right and f(s.raw) >= 0.9]


# ------------------------------------------------------------------------------ fit & report


def fit(rows: Sequence[Scored], all_rows: Sequence[Scored]) -> cal.CalibrationMap:
    """Fit the map on ``rows``; the guards see ``all_rows`` (see ``calibration.fit_map``)."""
    wrong = [s.raw for s in all_rows if s.value is not None and not s.right]
    m = cal.fit_map(pairs(rows), wrong_scores=wrong)
    meta = (
        ("fitted_by", "bench/calibrate.py"),
        ("fitted_on", f"{'+'.join(BLIND_SETS)}, sha256(case id) % 100 < {FIT_SHARE}"),
        *m.meta,
    )
    return replace(m, meta=meta)


def report(rows: Sequence[Scored], m: cal.CalibrationMap) -> list[str]:
    lines = []
    lines.append(f"{'part':6} {'family':11} {'n':>4} {'acc':>6} {'conf':>6}  ECE raw  ECE cal")
    for group in ("fit", "held", "dev"):
        part = [s for s in rows if s.case.group == group]
        for fam in ("all", *FAMILIES):
            sel = part if fam == "all" else [s for s in part if s.case.family == fam]
            before, after = pairs(sel), pairs(sel, m)
            if not before:
                continue
            acc = sum(ok for _, ok in before) / len(before)
            conf = sum(c for c, _ in before) / len(before)
            lines.append(
                f"{group:6} {fam:11} {len(before):4d} {acc:6.3f} {conf:6.3f} "
                f"{ece(before):8.3f} {ece(after):8.3f}"
            )
    return lines


def plot(rows: Sequence[Scored], m: cal.CalibrationMap, path: Path = PNG) -> None:
    """Reliability diagram of the held-back part: accuracy per confidence bin, before/after."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    held = [s for s in rows if s.case.group == "held"]
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.6))
    for ax, (title, p) in zip(
        axes[:2],
        (("before (raw engine)", pairs(held)), ("after (calibrated)", pairs(held, m))),
        strict=True,
    ):
        xs, ys, ns = [], [], []
        for b in range(10):
            sel = [(c, ok) for c, ok in p if b / 10 <= c < (b + 1) / 10 or (b == 9 and c == 1.0)]
            if sel:
                xs.append(sum(c for c, _ in sel) / len(sel))
                ys.append(sum(ok for _, ok in sel) / len(sel))
                ns.append(len(sel))
        ax.plot([0, 1], [0, 1], "--", color="#999", lw=1)
        ax.scatter(xs, ys, s=[20 + 4 * n for n in ns], color="#3a6ea5", zorder=3)
        for x, y, n in zip(xs, ys, ns, strict=True):
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(6, -10), fontsize=8)
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("confidence (mean of bin)")
        ax.set_ylabel("accuracy")
        ax.set_title(f"held-back, {title}: ECE {ece(p):.3f}")
        ax.grid(alpha=0.3)
    ax = axes[2]
    grid = [i / 200 for i in range(201)]
    ax.plot(grid, [m(x) for x in grid], color="#c0392b", label="fitted map")
    ax.plot([0, 1], [0, 1], "--", color="#999", lw=1, label="identity")
    ax.axhline(0.9, color="#aaa", lw=0.8)
    ax.axhline(0.5, color="#aaa", lw=0.8)
    ax.set_xlabel("raw engine confidence")
    ax.set_ylabel("calibrated confidence")
    ax.set_title("map (fitted half)")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def primary(rows: Iterable[Scored]) -> list[Scored]:
    """One row per email, asked as its label says (as bench/extraction.py does)."""
    return [s for s in rows if "@" not in s.case.id]


def main(argv: list[str]) -> int:
    every = score(load_all())  # with negatives asked in every mode: for the 0.9 check
    rows = primary(every)
    m = fit([s for s in rows if s.case.group == "fit"], every)
    counts = {g: sum(1 for s in rows if s.case.group == g) for g in ("fit", "held", "dev")}
    sets = {n: sum(1 for s in rows if s.case.set == n) for n in (*DEV_SETS, *BLIND_SETS)}
    print(f"emails: {len(rows)} {sets}; parts {counts}")
    fams = {f: sum(1 for s in rows if s.case.family == f) for f in FAMILIES}
    print(f"per family: {fams}")
    print("ECE counts every answer given (a none email answered with nothing is left out):")
    print("\n".join(report(rows, m)))
    print(f"map: {m.describe()}")
    swapped = fit([s for s in rows if s.case.group == "held"], every)
    first = [s for s in rows if s.case.group == "fit"]
    print(
        f"cross-check, halves swapped (fitted on held-back, scored on the fitted half): "
        f"ECE {ece(pairs(first)):.3f} -> {ece(pairs(first, swapped)):.3f}"
    )
    cw_raw = confident_wrong(every, lambda x: x)
    cw = confident_wrong(every, m)
    print(
        f"wrong answers at confidence >= 0.9, all sets, negatives in every mode "
        f"({len(every)} rows): raw {cw_raw}, calibrated {cw}"
    )
    if "--no-write" not in argv:
        cal.MAP_PATH.write_text(m.to_json())
        print(f"wrote {cal.MAP_PATH.relative_to(ROOT)}")
    if "--no-plot" not in argv:
        plot(rows, m)
        print(f"wrote {PNG.relative_to(ROOT)}")
    return 1 if cw else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
