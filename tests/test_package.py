"""The wheel carries the schema and the rule catalog, and works without the source tree."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_installed_wheel_finds_schema_and_catalog(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("recoverylint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "recoverylint/_data/schemas/runbook.schema.json" in names
    assert "recoverylint/_data/rules/RL201.yaml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    runbook = tmp_path / "r.yaml"
    runbook.write_text(
        "runbook: r\nroles:\n  commander: {authority: [decide]}\n"
        "steps:\n  - id: a\n    role: commander\n    outputs: [x]\n"
    )
    # Run from an unrelated folder with only the extracted wheel on the path.
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, sys.argv[1]); import recoverylint;"
         " assert recoverylint.__file__.startswith(sys.argv[1]), recoverylint.__file__;"
         " from recoverylint.cli import main;"
         " sys.argv = ['recoverylint', 'check', sys.argv[2], '--format', 'json']; main()",
         str(site), str(runbook)],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [f["code"] for f in report["findings"]] == ["RL105"]
