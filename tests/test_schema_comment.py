"""The schema's `$comment` names only documents that exist (issue 16, item 8)."""

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_document_the_schema_comment_names_exists():
    comment = json.loads((REPO / "schemas" / "runbook.schema.json").read_text(encoding="utf-8"))["$comment"]
    named = re.findall(r"[\w./-]+\.md\b", comment)
    assert named, comment  # the comment says where the format is described
    assert [name for name in named if not (REPO / name).is_file()] == []
