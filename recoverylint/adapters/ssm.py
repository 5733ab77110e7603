"""PLACEHOLDER: the helper writing this adapter replaces this whole file."""

from . import InputFormat

FORMAT = InputFormat(
    name="ssm" if "ssm" != "github" else "github-actions",
    title="ssm",
    detect=lambda document: False,
    build=lambda document, path, default_duration: (_ for _ in ()).throw(NotImplementedError()),
)
