"""The ``precedence`` soft-target policy: human over machine over box, verified negatives kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from vision.data._group_stats import Groups
from vision.data.label_policy import LABEL_POLICIES, LabelEvidence
from vision.data.pair_codes import CodedTargets, PairBlock, PairCodes

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
    evidence_columns: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "human": ("Confidence",),
        "machine": ("Confidence",),
        "boxes": ("Confidence",),
    }

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame:
        return self.coded(evidence).frame()

    def coded(self, evidence: LabelEvidence) -> CodedTargets:
        """The targets on integer codes (:class:`~vision.data.pair_codes.CodedTargets`),
        computed a block of images at a time."""
        return PairCodes(evidence).per_block(_block)


def _block(block: PairBlock) -> tuple[np.ndarray, np.ndarray]:
    keys, values = [], []
    for source in ("human", "machine", "boxes"):
        k, conf = block.get(source, "Confidence")
        if source != "human":  # machine and box rows of confidence 0 carry no evidence
            k, conf = k[conf > 0], conf[conf > 0]
        best = Groups(k)
        keys.append(best.keys)
        values.append(best.max(conf))
    # the first source that has a pair wins: human, then machine, then box
    chosen = Groups(np.concatenate(keys))
    return chosen.keys, np.concatenate(values)[chosen.first]
