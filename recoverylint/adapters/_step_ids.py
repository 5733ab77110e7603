"""Step ids made from what a file writes (a task's or a node's name): a slug,
numbered when it is taken, as the Ansible, AWX and XSOAR adapters give them."""

from __future__ import annotations

import re

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(written: str) -> str:
    """`written` as a word of an id: lower case, each run of other characters one `-`."""
    return _SLUG.sub("-", written.lower()).strip("-")


class StepIds:
    """The ids one file's steps have been given, and the next for a name."""

    def __init__(self, fallback: str) -> None:
        self.fallback = fallback  # the base of a name with no letter or digit
        self.taken: set[str] = set()
        self._suffixes: dict[str, int] = {}  # an id's base -> the last number given to it

    def fresh(self, written: str) -> str:
        """An id not taken yet for `written`, taken from now on."""
        base = slug(written) or self.fallback
        step_id, number = base, self._suffixes.get(base, 1)
        while step_id in self.taken:  # each base's next number is kept: many equal names stay linear
            number += 1
            step_id = f"{base}-{number}"
        self._suffixes[base] = number
        self.taken.add(step_id)
        return step_id
