"""Catalogue of soft-target policies (``--label-policy``): evidence -> ``[ImageID, LabelName, Target]``.

A policy is a callable taking a :class:`LabelEvidence` and returning a DataFrame with one row
per kept (image, label) pair, columns ``ImageID`` (str), ``LabelName`` (str), ``Target``
(float64 in ``[0, 1]``), sorted by ``ImageID`` then ``LabelName``. ``Target == 0`` rows are
verified (hard) negatives; only policies that use human ``Confidence=0`` emit them.

Policies register themselves in :data:`LABEL_POLICIES` where they are defined
(``seed_policy.py``, ``precedence_policy.py``, ``human_policy.py``; the package's ``__init__``
imports them); build one with :func:`create_label_policy` and list them with
:func:`list_label_policies`. :data:`DEFAULT_LABEL_POLICY` is the one default of every caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from corpora.catalogue import Catalogue

__all__ = [
    "DEFAULT_LABEL_POLICY",
    "EVIDENCE_SOURCES",
    "LABEL_POLICIES",
    "LabelEvidence",
    "LabelPolicy",
    "create_label_policy",
    "list_label_policies",
    "TARGET_COLUMNS",
]

TARGET_COLUMNS = ("ImageID", "LabelName", "Target")
#: the evidence frames of :class:`LabelEvidence`, in precedence order
EVIDENCE_SOURCES = ("human", "machine", "boxes")

#: the label policy used when none is named (``--label-policy``, ``load_targets``)
DEFAULT_LABEL_POLICY = "seed"


def _empty_labels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ImageID": pd.Series([], dtype=object),
            "Source": pd.Series([], dtype=object),
            "LabelName": pd.Series([], dtype=object),
            "Confidence": pd.Series([], dtype="float64"),
        }
    )


def _empty_boxes() -> pd.DataFrame:
    cols = {
        c: pd.Series([], dtype="float64") for c in ("Confidence", "XMin", "XMax", "YMin", "YMax")
    }
    return pd.DataFrame(
        {"ImageID": pd.Series([], dtype=object), "LabelName": pd.Series([], dtype=object), **cols}
    )


@dataclass
class LabelEvidence:
    """Everything known about the training images' labels.

    ``ImageID`` and ``LabelName`` are str or, as :func:`~vision.data.load_targets.load_evidence`
    gives them, pandas Categoricals (ideally over shared, sorted categories: see
    :class:`~vision.data.pair_codes.PairCodes`).

    Frames read for a policy hold only the columns it names in ``evidence_columns`` (see
    :func:`~vision.data.load_targets.load_evidence`).

    Attributes:
        human: ``[ImageID, Source, LabelName, Confidence]`` human verifications (1 present,
            0 verified absent).
        machine: same columns, classifier confidences in ``[0, 1]``; may be empty.
        boxes: at least ``[ImageID, LabelName, Confidence, XMin, XMax, YMin, YMax]`` with
            coordinates as fractions of the image size; may be empty.
    """

    human: pd.DataFrame = field(default_factory=_empty_labels)
    machine: pd.DataFrame = field(default_factory=_empty_labels)
    boxes: pd.DataFrame = field(default_factory=_empty_boxes)


class LabelPolicy(Protocol):
    """A soft-target policy.

    Optional attributes, which the built-in policies have: ``evidence_columns`` (source ->
    the columns it uses besides ``ImageID`` and ``LabelName``; ``load_targets`` reads only
    those files and keeps only those columns), and ``coded(evidence) ->``
    :class:`~vision.data.pair_codes.CodedTargets` (the same targets before the strings are
    built, which ``load_targets`` prefers: it frees the evidence first).
    """

    name: str

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame: ...


#: every label policy, by name; an entry's options are its dataclass fields
LABEL_POLICIES: Catalogue[LabelPolicy] = Catalogue("label policy")


def list_label_policies() -> list[str]:
    """Names accepted by :func:`create_label_policy` (and ``--label-policy``)."""
    return LABEL_POLICIES.names()


def create_label_policy(spec: str | Mapping[str, Any], **options: Any) -> LabelPolicy:
    """Build a policy from ``spec``: its name (``"seed"``), ``"seed:num_std=2"`` or
    ``{"name": "seed", "options": {"num_std": 2}}``; ``options`` add to (and win over) the
    spec's options."""
    name, spec_options = LABEL_POLICIES.parse(spec)
    return LABEL_POLICIES.create(name, **{**spec_options, **options})


def finish_targets(df: pd.DataFrame) -> pd.DataFrame:
    """Common tail of a policy written on strings: canonical columns, dtypes and sort order."""
    out = df.loc[:, list(TARGET_COLUMNS)].copy()
    out["ImageID"] = out["ImageID"].astype(str)
    out["LabelName"] = out["LabelName"].astype(str)
    out["Target"] = out["Target"].astype("float64")
    return out.sort_values(["ImageID", "LabelName"], kind="stable").reset_index(drop=True)
