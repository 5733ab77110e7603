"""recoverylint: static linter and dependency analyser for incident-recovery runbooks."""

__version__ = "0.1.0"
