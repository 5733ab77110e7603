"""A format written only for the tests, to prove that a format is one module:
nothing else in recoverylint names it.  A `tinyflow` document lists steps,
each with an `id`, the steps it comes `after` and the resources it `writes`:

    tinyflow: restart-cache
    steps:
      - id: drain
        writes: [cache]
      - id: restart
        after: [drain]
"""

from __future__ import annotations

from typing import Any, Optional

from recoverylint.adapters import Adapted, InputFormat
from recoverylint.adapters._builder import RunbookBuilder
from recoverylint.capabilities import Capability
from recoverylint.model import EdgeKind, Ref
from recoverylint.source import Document


def detect(document: Document) -> bool:
    data = document.data
    return isinstance(data, dict) and isinstance(data.get("tinyflow"), str) and isinstance(data.get("steps"), list)


def build(document: Document, path: str, default_duration: Optional[float]) -> Adapted:
    data: Any = document.data
    builder = RunbookBuilder(document, path, FORMAT.name, default_duration, wait_key=FORMAT.wait_key)
    for step in data["steps"]:
        writes = step.get("writes", [])
        builder.step(
            step["id"],
            document.value_span(step, "id"),
            title=step["id"],
            writes=[Ref(name, document.value_span(writes, index)) for index, name in enumerate(writes)],
        )
    for step in data["steps"]:
        after = step.get("after", [])
        for index, earlier in enumerate(after):
            builder.wait(earlier, step["id"], document.value_span(after, index), EdgeKind.NEEDS)
    return builder.build(data["tinyflow"], document.key_span(data, "tinyflow"))


FORMAT = InputFormat(
    name="tinyflow",
    title="Tinyflow",
    detect=detect,
    build=build,
    keys=("tinyflow",),
    priority=70,
    # Its steps and their order, and one team following them: nothing of
    # phases, roles, verifications or rollbacks.
    provides=frozenset({Capability.GRAPHS, Capability.TEAM}),
    wait_key="after",
)
