"""``load_targets``: read a data directory's training annotations and apply a label policy."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from corpora.formats.bounding_boxes import read_bounding_boxes
from corpora.formats.class_descriptions import read_class_descriptions
from corpora.formats.image_labels import read_human_labels, read_machine_labels
from vision.data.data_layout import DataLayout
from vision.data.label_policy import DEFAULT_LABEL_POLICY, LabelEvidence, create_label_policy

__all__ = ["load_targets", "load_evidence"]

logger = logging.getLogger(__name__)


def load_evidence(
    data_dir: str | Path, *, skip_bad_rows: bool = False, check_vocabulary: bool = True
) -> LabelEvidence:
    """Read human labels (required), machine labels and boxes (when present) of ``data_dir``.

    With ``check_vocabulary`` and a ``class-descriptions.csv``, codes outside the vocabulary
    are logged with counts (see :class:`~corpora.formats.read_report.ReadReport`).
    """
    layout = DataLayout(data_dir).check()
    vocab = None
    if check_vocabulary and layout.class_descriptions.is_file():
        vocab = set(
            read_class_descriptions(layout.class_descriptions, skip_bad_rows=skip_bad_rows)[
                "LabelName"
            ]
        )
    kw: dict[str, Any] = {"vocabulary": vocab, "skip_bad_rows": skip_bad_rows}
    evidence = LabelEvidence(human=read_human_labels(layout.human_labels, **kw))
    if layout.machine_labels.is_file():
        evidence.machine = read_machine_labels(layout.machine_labels, **kw)
    if layout.bounding_boxes.is_file():
        evidence.boxes = read_bounding_boxes(layout.bounding_boxes, **kw)
    return evidence


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
        skip_bad_rows: skip and count malformed CSV rows instead of raising.
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
        data_dir, skip_bad_rows=skip_bad_rows, check_vocabulary=check_vocabulary
    )
    df = chosen(evidence)
    df.attrs["read_reports"] = {
        name: frame.attrs["read_report"].to_dict()
        for name, frame in (
            ("human", evidence.human),
            ("machine", evidence.machine),
            ("boxes", evidence.boxes),
        )
        if "read_report" in frame.attrs
    }
    logger.info(
        "%s: %d targets (%d hard negatives) for %d images under policy %r",
        data_dir,
        len(df),
        int((df["Target"] == 0).sum()),
        df["ImageID"].nunique(),
        policy,
    )
    return df
