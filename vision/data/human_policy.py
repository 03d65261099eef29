"""The ``human`` policy: human-verified positives only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from vision.data.label_policy import LABEL_POLICIES, LabelEvidence
from vision.data.pair_codes import CodedTargets, PairBlock, PairCodes

__all__ = ["HumanPolicy"]


@LABEL_POLICIES.register("human")
@dataclass
class HumanPolicy:
    """``Target = 1`` for every (image, label) with a human row of ``Confidence > 0``.

    Machine labels, boxes and human negatives are ignored.
    """

    name: ClassVar[str] = "human"
    evidence_columns: ClassVar[Mapping[str, tuple[str, ...]]] = {"human": ("Confidence",)}

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame:
        return self.coded(evidence).frame()

    def coded(self, evidence: LabelEvidence) -> CodedTargets:
        """The targets on integer codes (:class:`~vision.data.pair_codes.CodedTargets`)."""
        return PairCodes(evidence).per_block(_block)


def _block(block: PairBlock) -> tuple[np.ndarray, np.ndarray]:
    k, conf = block.get("human", "Confidence")
    keys = np.unique(k[conf > 0])
    return keys, np.ones(len(keys))
