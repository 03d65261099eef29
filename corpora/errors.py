"""Exception types shared by the three packages.

:class:`InputError` is raised for anything wrong with what the *user* gave us (a missing file,
an unrecognised format, a malformed row, an unknown label). Its message says what was wrong,
where (file, line, page title or byte offset) and what to do instead. The command-line
interfaces print it as one line and exit with status 2; anything else is a bug and keeps its
traceback.
"""

from __future__ import annotations

__all__ = ["InputError", "CorruptInputError"]


class InputError(ValueError):
    """Bad user input: the message names the file/line and says what to do instead."""


class CorruptInputError(InputError):
    """A file that exists but cannot be decoded (truncated bz2/gz, malformed XML or CSV)."""
