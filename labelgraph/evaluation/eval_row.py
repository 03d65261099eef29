"""One line of the ``labelgraph evaluate`` table: a metric, its value and its baselines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["EvalRow", "format_table"]


@dataclass
class EvalRow:
    """A metric of one method on one data file, next to its baselines.

    Attributes:
        task: ``"similarity"``, ``"cooccurrence"``, ``"completion"`` or ``"intruder"``.
        data: file the metric was measured on (base name).
        metric: e.g. ``"spearman"``, ``"auc"``, ``"recall@10"``, ``"mrr"``, ``"accuracy"``.
        method: what was scored, e.g. ``"embedding cosine"``, ``"combined graph"``.
        value: the metric (``nan`` when undefined, e.g. no pair covered).
        baselines: ``[(name, value)]`` measured on exactly the same items.
        coverage: how many items were scored out of how many (``"250/353 pairs"``).
        n: number of items scored.
    """

    task: str
    data: str
    metric: str
    method: str
    value: float
    baselines: list[tuple[str, float]] = field(default_factory=list)
    coverage: str = ""
    n: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["value"] = None if math.isnan(self.value) else self.value
        d["baselines"] = [
            {"name": name, "value": None if math.isnan(v) else v} for name, v in self.baselines
        ]
        return d


def _fmt(v: float) -> str:
    return "n/a" if math.isnan(v) else f"{v:.3f}"


def format_table(rows: Sequence[EvalRow]) -> str:
    """Render rows as a fixed-width text table (one line per metric, baselines on the right)."""
    header = ["task", "data", "metric", "method", "value", "baseline(s)", "covered"]
    body = [
        [
            r.task,
            r.data,
            r.metric,
            r.method,
            _fmt(r.value),
            ", ".join(f"{name} {_fmt(v)}" for name, v in r.baselines) or "-",
            r.coverage,
        ]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *body)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())
    return "\n".join(lines)
