"""One exception tree. Catch ``EventCoderError`` to catch everything eventcoder raises.

EventCoderError
├── InputError            a document or file that cannot be read (has file and line)
├── DataError             a bundled or user data file (KB, patterns, ontology) is malformed
├── ModelError            the spaCy pipeline cannot be loaded
├── StoreError            the database cannot be opened or written
└── EvalError             a gold file cannot be scored
"""

from __future__ import annotations


class EventCoderError(Exception):
    """Base class of every error eventcoder raises on purpose."""


class InputError(EventCoderError):
    """A bad input record or file; carries where it is so the user can fix it."""

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        super().__init__(self.location_prefix() + message)

    def location_prefix(self) -> str:
        if not self.path:
            return ""
        if self.line is None:
            return f"{self.path}: "
        return f"{self.path}:{self.line}: "


class DataError(EventCoderError):
    """A data file (knowledge base, patterns, ontology) is malformed."""

    def __init__(self, message: str, path: str = "", line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}: " if path and line is not None else (f"{path}: " if path else "")
        super().__init__(where + message)


class ModelError(EventCoderError):
    """The spaCy pipeline could not be loaded."""


class StoreError(EventCoderError):
    """The event store could not be opened or written."""


class EvalError(EventCoderError):
    """A gold file could not be scored."""


class UsageError(EventCoderError):
    """An option or argument value that cannot be right: a mistyped type, a country name
    where a code goes, a number out of range, options that contradict each other."""


class InputWarning(UserWarning):
    """Input that was read after a repair the user should know of (file and line in the
    message): a few undecodable bytes replaced with U+FFFD, the rest coded."""
