"""PLACEHOLDER: the helper writing this adapter replaces this whole file."""

from . import InputFormat

FORMAT = InputFormat(
    name="github" if "github" != "github" else "github-actions",
    title="github",
    detect=lambda document: False,
    build=lambda document, path, default_duration: (_ for _ in ()).throw(NotImplementedError()),
)
