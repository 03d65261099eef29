"""``load_targets``: read a data directory's training annotations and apply a label policy."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from corpora.formats.bounding_boxes import read_bounding_boxes
from corpora.formats.class_descriptions import read_label_names
from corpora.formats.image_labels import read_human_labels, read_machine_labels
from vision.data.data_layout import DataLayout
from vision.data.label_policy import (
    DEFAULT_LABEL_POLICY,
    EVIDENCE_SOURCES,
    LabelEvidence,
    create_label_policy,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["load_targets", "load_evidence"]

logger = logging.getLogger(__name__)


def load_evidence(
    data_dir: str | Path,
    *,
    skip_bad_rows: bool = False,
    check_vocabulary: bool = True,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> LabelEvidence:
    """Read human labels (required), machine labels and boxes (when present) of ``data_dir``.

    The files are read column by column (:mod:`corpora.formats`), the largest first;
    ``ImageID``, ``LabelName`` and ``Source`` come as pandas Categoricals, ``ImageID`` and
    ``LabelName`` over categories shared by the three frames (sorted), so that policies work
    on integer codes (:class:`~vision.data.pair_codes.PairCodes`). With ``check_vocabulary``
    and a ``class-descriptions.csv``, codes outside the vocabulary are logged with counts (see
    :class:`~corpora.formats.read_report.ReadReport`).

    Args:
        columns: source (``human``, ``machine``, ``boxes``) -> the columns to keep besides
            ``ImageID`` and ``LabelName`` (a policy's ``evidence_columns``); sources not named
            are not read (the human labels always are) and stay empty frames. Every column of
            a file that is read is checked. Default: every source, every column.
    """
    layout = DataLayout(data_dir).check()
    vocab = None
    if check_vocabulary and layout.class_descriptions.is_file():
        vocab = set(read_label_names(layout.class_descriptions, skip_bad_rows=skip_bad_rows)[0])
    kw: dict[str, Any] = {"vocabulary": vocab, "skip_bad_rows": skip_bad_rows, "categorical": True}
    wanted = dict(columns) if columns is not None else dict.fromkeys(EVIDENCE_SOURCES)
    wanted.setdefault("human", ("Confidence",))
    files = {
        "boxes": (layout.bounding_boxes, read_bounding_boxes),
        "machine": (layout.machine_labels, read_machine_labels),
        "human": (layout.human_labels, read_human_labels),
    }
    evidence = LabelEvidence()
    for source, (path, read) in files.items():  # the largest file first: the lowest peak
        if source not in wanted or (source != "human" and not path.is_file()):
            continue
        keep = wanted[source]
        keep = None if keep is None else ["ImageID", "LabelName", *keep]
        setattr(evidence, source, read(path, columns=keep, **kw))
    _share_categories(evidence, "ImageID")
    _share_categories(evidence, "LabelName")
    return evidence


def _share_categories(evidence: LabelEvidence, column: str) -> None:
    """Recode ``column`` of the three frames over one sorted union of their categories (one
    :class:`~pandas.CategoricalDtype` object, so that policies see the same categories)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = [
        name
        for name in EVIDENCE_SOURCES
        if isinstance(getattr(evidence, name)[column].dtype, pd.CategoricalDtype)
    ]
    if not names:
        return
    dtypes = [getattr(evidence, n)[column].dtype for n in names]
    cats = [pa.array(d.categories.array) for d in dtypes]
    largest = max(range(len(cats)), key=lambda i: len(cats[i]))
    union, dtype = cats[largest], dtypes[largest]  # often a superset of the others
    same = [len(c) == len(union) and pc.all(pc.equal(c, union)).as_py() for c in cats]
    if not all(same):  # the sorted union of all, by one sort
        union, where = _sorted_union(cats)
        if len(union) != len(cats[largest]):
            dtype = pd.CategoricalDtype(pd.Index(pd.array(union, dtype="str")))
        same = [False] * len(cats)
    offset = 0
    for name, own, identical in zip(names, cats, same):
        frame = getattr(evidence, name)
        codes = frame[column].cat.codes.to_numpy()
        if not identical:
            codes = where[offset : offset + len(own)][codes]
            offset += len(own)
        if not identical or frame[column].dtype is not dtype:
            frame[column] = pd.Categorical.from_codes(codes, dtype=dtype)


def _sorted_union(arrays: list[pa.Array]) -> tuple[pa.Array, np.ndarray]:
    """``(sorted distinct values of arrays, position of each of their values in it)``, the
    positions in the arrays' concatenated order, by one sort (no hashing)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    everything = pa.concat_arrays(arrays)
    order = pc.array_sort_indices(everything).to_numpy(zero_copy_only=False)
    ordered = everything.take(pa.array(order))
    n = len(ordered)
    change = pc.not_equal(ordered.slice(1), ordered.slice(0, max(n - 1, 0)))
    change = change.to_numpy(zero_copy_only=False)
    rank = np.zeros(n, dtype=np.int32)
    rank[1:] = change
    np.cumsum(rank, out=rank)
    where = np.empty(n, dtype=np.int32)
    where[order] = rank
    return ordered.filter(pa.array(np.concatenate([[n > 0], change]))), where


def load_targets(
    data_dir: str | Path,
    policy: str | Mapping[str, Any] = DEFAULT_LABEL_POLICY,
    *,
    skip_bad_rows: bool = False,
    check_vocabulary: bool = True,
    **policy_kwargs: Any,
) -> pd.DataFrame:
    """Soft training targets of ``data_dir`` under ``policy`` (``seed``, ``precedence``, ``human``).

    Args:
        data_dir: a folder in Open Images layout (:class:`~vision.data.data_layout.DataLayout`).
        policy: a name from :func:`~vision.data.label_policy.list_label_policies` (default
            :data:`~vision.data.label_policy.DEFAULT_LABEL_POLICY`, ``seed``), or a
            specification with options (``"seed:num_std=2"``, ``{name: seed, options: {...}}``,
            see :func:`~vision.data.label_policy.create_label_policy`); the exact formulas are
            in :class:`~vision.data.seed_policy.SeedPolicy`,
            :class:`~vision.data.precedence_policy.PrecedencePolicy` and
            :class:`~vision.data.human_policy.HumanPolicy`.
        skip_bad_rows: skip and count malformed CSV rows instead of raising. Only the files
            the policy uses are read (``human``: the human labels alone).
        check_vocabulary: report codes missing from ``class-descriptions.csv``.
        **policy_kwargs: passed to the policy (e.g. ``num_std`` for ``seed``).

    Returns:
        DataFrame ``[ImageID, LabelName, Target]``, one row per kept (image, label) pair,
        ``Target`` float64 in ``[0, 1]``, sorted by ``ImageID, LabelName``. ``Target == 0``
        rows (only under ``precedence``) are verified negatives. ``df.attrs["read_reports"]``
        holds each file's :meth:`ReadReport.to_dict` (rows, skipped bad rows, unknown codes).
    """
    chosen = create_label_policy(policy, **policy_kwargs)
    evidence = load_evidence(
        data_dir,
        skip_bad_rows=skip_bad_rows,
        check_vocabulary=check_vocabulary,
        columns=getattr(chosen, "evidence_columns", None),
    )
    reports = {
        name: frame.attrs["read_report"].to_dict()
        for name, frame in (
            ("human", evidence.human),
            ("machine", evidence.machine),
            ("boxes", evidence.boxes),
        )
        if "read_report" in frame.attrs
    }
    coded = getattr(chosen, "coded", None)
    if coded is not None:  # the built-in policies: free the evidence before the strings
        targets = coded(evidence)
        del evidence
        df = targets.frame()
        del targets
    else:
        df = chosen(evidence)
        del evidence
    df.attrs["read_reports"] = reports
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            "%s: %d targets (%d hard negatives) for %d images under policy %r",
            data_dir,
            len(df),
            int((df["Target"] == 0).sum()),
            df["ImageID"].nunique(),
            policy,
        )
    return df
