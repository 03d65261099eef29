"""The ``precedence`` soft-target policy: human over machine over box, verified negatives kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from vision.data.label_policy import LABEL_POLICIES, LabelEvidence, finish_targets

__all__ = ["PrecedencePolicy"]


@LABEL_POLICIES.register("precedence")
@dataclass
class PrecedencePolicy:
    """For each (image, label) take the first source that has it: human, then machine, then box.

    * human: ``Target = max Confidence`` of the pair's human rows (so a pair verified both
      present and absent counts as present). ``Confidence=0`` gives ``Target = 0``: a hard
      (verified) negative, kept as a row; :func:`~vision.data.targets_matrix.targets_matrix`
      returns these in its ``mask`` and the dataset weights them as the user chooses.
    * machine: ``Target = max Confidence`` (a soft target). Machine rows with confidence 0
      carry no evidence and are ignored.
    * box: ``Target = max Confidence`` of the pair's boxes (1 for human-drawn boxes, which
      is every box in Open Images). Boxes with confidence 0 are ignored.

    So a human 0 and a machine 0.9 for the same pair give ``Target = 0``.
    """

    name: ClassVar[str] = "precedence"

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame:
        keys = ["ImageID", "LabelName"]
        h = evidence.human.groupby(keys, sort=False)["Confidence"].max().reset_index()
        m = evidence.machine.loc[evidence.machine["Confidence"] > 0]
        m = m.groupby(keys, sort=False)["Confidence"].max().reset_index()
        b = evidence.boxes.loc[evidence.boxes["Confidence"] > 0]
        b = b.groupby(keys, sort=False)["Confidence"].max().reset_index()
        ranked = pd.concat(
            [h.assign(rank=0), m.assign(rank=1), b.assign(rank=2)], ignore_index=True
        ).sort_values("rank", kind="stable")
        first = ranked.drop_duplicates(keys, keep="first")
        return finish_targets(first.assign(Target=first["Confidence"].astype(float)))
