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
    "LABEL_POLICIES",
    "LabelEvidence",
    "LabelPolicy",
    "create_label_policy",
    "list_label_policies",
    "TARGET_COLUMNS",
]

TARGET_COLUMNS = ("ImageID", "LabelName", "Target")

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
    """Common tail of every policy: canonical columns, dtypes and sort order."""
    out = df.loc[:, list(TARGET_COLUMNS)].copy()
    out["ImageID"] = out["ImageID"].astype(str)
    out["LabelName"] = out["LabelName"].astype(str)
    out["Target"] = out["Target"].astype("float64")
    return out.sort_values(["ImageID", "LabelName"], kind="stable").reset_index(drop=True)
