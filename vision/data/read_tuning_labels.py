"""Reader for ``tuning_labels.csv``: no header, ``ImageID,"code code ..."`` per line."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from vision.data import _csv
from vision.data.read_report import ReadReport

__all__ = ["read_tuning_labels"]

_HEADER_IDS = frozenset({"imageid", "image_id"})


def read_tuning_labels(
    path: str | Path,
    *,
    vocabulary: Collection[str] | None = None,
    skip_bad_rows: bool = False,
    report: ReadReport | None = None,
) -> dict[str, list[str]]:
    """Read the tuning labels: image id -> label codes (file order, space-separated).

    The competition file has no header; a first line starting ``ImageID``/``image_id`` is
    tolerated and skipped. Empty ids, repeated ids and extra fields are malformed rows; an
    empty label list is allowed (``[]``). Codes not in ``vocabulary`` are reported with counts.
    """
    report = report if report is not None else ReadReport()
    path = _csv.check_file(path, "tuning labels")
    kw = {"path": path, "skip_bad_rows": skip_bad_rows, "report": report}
    first = _csv.first_fields(path)
    has_header = bool(first) and first[0].lower() in _HEADER_IDS
    df, lines = _csv.read_rows(
        path, ("ImageID", "labels"), header=has_header, skip_bad_rows=skip_bad_rows, report=report
    )
    df.columns = ["ImageID", "labels"] + list(df.columns[2:])
    df, lines = _csv.reject_empty(df, lines, ("ImageID",), **kw)
    df, lines = _csv.reject_duplicates(df, lines, "ImageID", **kw)
    out = {i: labels.split() for i, labels in zip(df["ImageID"], df["labels"])}
    report.rows = len(out)
    _csv.count_unknown((c for codes in out.values() for c in codes), vocabulary, report)
    report.log()
    return out
