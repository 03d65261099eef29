"""The ``human`` policy: human-verified positives only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from vision.data.label_policy import LABEL_POLICIES, LabelEvidence, finish_targets

__all__ = ["HumanPolicy"]


@LABEL_POLICIES.register("human")
@dataclass
class HumanPolicy:
    """``Target = 1`` for every (image, label) with a human row of ``Confidence > 0``.

    Machine labels, boxes and human negatives are ignored.
    """

    name: ClassVar[str] = "human"

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame:
        h = evidence.human
        pos = h.loc[h["Confidence"] > 0, ["ImageID", "LabelName"]].drop_duplicates()
        return finish_targets(pos.assign(Target=1.0))
