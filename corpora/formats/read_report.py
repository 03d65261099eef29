"""What a format reader saw in one file: kept rows, skipped bad rows and codes outside the
vocabulary."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ReadReport"]

logger = logging.getLogger(__name__)

#: How many bad lines / unknown codes a report keeps verbatim (the counts are always complete).
MAX_EXAMPLES = 20


@dataclass
class ReadReport:
    """Counts gathered while reading one file of :mod:`corpora.formats`.

    Pass an empty ``ReadReport()`` as ``report=`` to any ``read_*`` function there and it is
    filled in place (the DataFrame readers also attach it as ``df.attrs["read_report"]``).

    Attributes:
        path: the file that was read.
        rows: rows kept.
        bad_rows: malformed rows skipped (only non-zero with ``skip_bad_rows=True``).
        bad_lines: ``(line number, reason)`` of the first :data:`MAX_EXAMPLES` skipped rows
            (1-based physical line numbers, the header is line 1).
        unknown_codes: label code -> number of rows whose code is not in the vocabulary
            (only when a vocabulary was given). The rows are kept, not dropped.
    """

    path: Path | None = None
    rows: int = 0
    bad_rows: int = 0
    bad_lines: list[tuple[int, str]] = field(default_factory=list)
    unknown_codes: Counter[str] = field(default_factory=Counter)

    def add_bad(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.bad_lines) < MAX_EXAMPLES:
            self.bad_lines.append((int(line), reason))

    @property
    def unknown_rows(self) -> int:
        """Rows whose label code is outside the vocabulary."""
        return int(sum(self.unknown_codes.values()))

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path) if self.path is not None else None,
            "rows": self.rows,
            "bad_rows": self.bad_rows,
            "bad_lines": [list(x) for x in self.bad_lines],
            "unknown_rows": self.unknown_rows,
            "unknown_codes": dict(self.unknown_codes.most_common()),
        }

    def log(self) -> None:
        """Warn about skipped rows and unknown codes (with counts); silent when all is well."""
        if self.bad_rows:
            first = "; ".join(f"line {ln}: {why}" for ln, why in self.bad_lines[:3])
            logger.warning("%s: skipped %d malformed rows (%s)", self.path, self.bad_rows, first)
        if self.unknown_codes:
            top = ", ".join(f"{c} ({n})" for c, n in self.unknown_codes.most_common(10))
            logger.warning(
                "%s: %d rows use %d label codes that are not in the vocabulary "
                "(kept; most frequent: %s)",
                self.path,
                self.unknown_rows,
                len(self.unknown_codes),
                top,
            )
