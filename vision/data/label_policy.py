"""Registry of soft-target policies (``--label-policy``): evidence -> ``[ImageID, LabelName, Target]``.

A policy is a callable taking a :class:`LabelEvidence` and returning a DataFrame with one row
per kept (image, label) pair, columns ``ImageID`` (str), ``LabelName`` (str), ``Target``
(float64 in ``[0, 1]``), sorted by ``ImageID`` then ``LabelName``. ``Target == 0`` rows are
verified (hard) negatives; only policies that use human ``Confidence=0`` emit them.

Policies register themselves with :func:`register_label_policy`; build one with
:func:`create_label_policy` and list them with :func:`list_label_policies`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from corpora.errors import InputError

__all__ = [
    "LabelEvidence",
    "LabelPolicy",
    "register_label_policy",
    "create_label_policy",
    "list_label_policies",
    "TARGET_COLUMNS",
]

TARGET_COLUMNS = ("ImageID", "LabelName", "Target")


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


_POLICIES: dict[str, Callable[..., LabelPolicy]] = {}


def register_label_policy(
    name: str,
) -> Callable[[Callable[..., LabelPolicy]], Callable[..., LabelPolicy]]:
    """Class decorator: make a policy constructible as ``create_label_policy(name, **kw)``."""

    def deco(cls: Callable[..., LabelPolicy]) -> Callable[..., LabelPolicy]:
        if name in _POLICIES:
            raise ValueError(f"label policy {name!r} is already registered")
        _POLICIES[name] = cls
        return cls

    return deco


def _ensure_builtin() -> None:
    # Importing the modules registers the built-in policies.
    from vision.data import human_policy, precedence_policy, seed_policy  # noqa: F401


def list_label_policies() -> list[str]:
    """Names accepted by :func:`create_label_policy` (and ``--label-policy``)."""
    _ensure_builtin()
    return sorted(_POLICIES)


def create_label_policy(name: str, **kwargs: Any) -> LabelPolicy:
    """Build the policy registered as ``name`` with its keyword arguments."""
    _ensure_builtin()
    try:
        cls = _POLICIES[name]
    except KeyError:
        raise InputError(
            f"unknown label policy {name!r}; choose one of {', '.join(sorted(_POLICIES))}"
        ) from None
    return cls(**kwargs)


def finish_targets(df: pd.DataFrame) -> pd.DataFrame:
    """Common tail of every policy: canonical columns, dtypes and sort order."""
    out = df.loc[:, list(TARGET_COLUMNS)].copy()
    out["ImageID"] = out["ImageID"].astype(str)
    out["LabelName"] = out["LabelName"].astype(str)
    out["Target"] = out["Target"].astype("float64")
    return out.sort_values(["ImageID", "LabelName"], kind="stable").reset_index(drop=True)
