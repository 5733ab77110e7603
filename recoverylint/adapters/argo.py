"""PLACEHOLDER: the helper writing this adapter replaces this whole file."""

from . import InputFormat

FORMAT = InputFormat(
    name="argo" if "argo" != "github" else "github-actions",
    title="argo",
    detect=lambda document: False,
    build=lambda document, path, default_duration: (_ for _ in ()).throw(NotImplementedError()),
)
