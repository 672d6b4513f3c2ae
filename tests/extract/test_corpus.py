"""Dev corpus regression: ≥ 99 % exact and no wrong answer at confidence ≥ 0.9."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from waypost.extract import content_from_bytes, extract

CORPUS = Path("/work/shared/corpus/dev")

pytestmark = pytest.mark.skipif(
    not (CORPUS / "labels.jsonl").exists(), reason="dev corpus not available"
)


def test_dev_corpus() -> None:
    labels = [json.loads(x) for x in (CORPUS / "labels.jsonl").read_text().splitlines() if x]
    assert len(labels) >= 30
    right = 0
    confident_wrong: list[str] = []
    for label in labels:
        content = content_from_bytes((CORPUS / label["file"]).read_bytes())
        kind = label["kind"]
        result = extract(content, kind if kind != "none" else "auto")
        if kind == "none":
            ok = result.value is None or result.confidence < 0.5
        else:
            accepted = {label["value"], label.get("target")}
            ok = result.value in accepted
        right += ok
        if result.value is not None and result.confidence >= 0.9 and (kind == "none" or not ok):
            confident_wrong.append(label["file"])
    assert right / len(labels) >= 0.99
    assert confident_wrong == []
