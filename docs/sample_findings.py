"""Draw the findings a hand review reads: every RL201, RL3xx and RL4xx
finding of a corpus, all of them or a seeded random sample.

    python docs/sample_findings.py CORPUS COUNT SEED [GLOB] > sample.jsonl

Every `.yaml`, `.yml`, `.json` and `.md` file under CORPUS is named on the
command line (so JSON documents and Markdown runbooks are read too) and checked with no cache; COUNT 0
takes every finding.  GLOB keeps the files whose path under CORPUS it
matches (`*` crossing `/`; `content/Packs/[P-Zp-z]*`: the half of a corpus not tuned on).  Each finding is printed as one JSON line; how many
there were in all goes to standard error.
"""

import json
import random
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def main() -> None:
    corpus, count, seed = Path(sys.argv[1]).resolve(), int(sys.argv[2]), int(sys.argv[3])
    kept = sys.argv[4] if len(sys.argv) > 4 else "*"
    files = sorted(
        p
        for p in corpus.rglob("*")
        if p.suffix in (".yaml", ".yml", ".json", ".md")
        and p.is_file()
        and fnmatchcase(p.relative_to(corpus).as_posix(), kept)
    )
    if not files:  # recoverylint given no file would check the folder it runs in
        sys.exit(f"no .yaml, .yml or .json file under {corpus}")
    checked = subprocess.run(
        [sys.executable, "-m", "recoverylint", "check", "--no-cache", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
    )
    findings = json.loads(checked.stdout)["findings"]
    chosen = [f for f in findings if f["code"].startswith(("RL201", "RL3", "RL4"))]
    random.Random(seed).shuffle(chosen)
    sample = chosen if count <= 0 else chosen[:count]
    print(f"# {len(chosen)} findings in all; {len(sample)} drawn (seed {seed})", file=sys.stderr)
    for finding in sample:
        print(json.dumps(finding))


if __name__ == "__main__":
    main()
