"""docs/sample_findings.py, the script the hand review draws its findings
with (docs/real-world-review.md), run as the review runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from review_support import corpus_folder

REPOSITORY = Path(__file__).resolve().parent.parent


def sample(corpus: Path, count: int, seed: int) -> tuple[list[dict], str]:
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(corpus), str(count), str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [json.loads(line) for line in completed.stdout.splitlines()], completed.stderr


def test_it_draws_the_same_seeded_sample_of_dependency_findings(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Ten independent steps in a checklist: nine false gates (RL201), and a
    # runbook with no finding beside it.
    steps = "\n".join(f"  - id: s{n}\n    duration: 1m" for n in range(10))
    (corpus / "gates.yaml").write_text(f"runbook: gates\nsteps:\n{steps}\n", encoding="utf-8")
    (corpus / "clean.json").write_text('{"runbook": "clean", "steps": [{"id": "only"}]}', encoding="utf-8")
    everything, said = sample(corpus, 0, 1)
    assert said.strip() == "# 9 findings in all; 9 drawn (seed 1)"
    assert {f["code"] for f in everything} == {"RL201"}
    drawn, said = sample(corpus, 4, 7)
    assert said.strip() == "# 9 findings in all; 4 drawn (seed 7)"
    # The same seed draws the same findings: the first of its shuffle.
    assert drawn == sample(corpus, 0, 7)[0][:4]
    assert drawn != everything[:4]


def test_what_is_left_on_ssm_more_is_what_the_review_says() -> None:
    # corpus_folder: like the review's other tests, this fails in CI when the corpora are missing
    findings, said = sample(corpus_folder("ssm-more"), 0, 1)
    assert said.strip() == "# 1 findings in all; 1 drawn (seed 1)"
    assert [(Path(f["path"]).name, f["line"], f["code"]) for f in findings] == [
        ("aws-ResizeInstance.json", 75, "RL201")
    ]


def test_a_corpus_with_no_file_is_said(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(REPOSITORY / "docs" / "sample_findings.py"), str(tmp_path), "0", "1"],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 1
    assert completed.stderr.strip() == f"no .yaml, .yml or .json file under {tmp_path}"
    assert completed.stdout == ""
