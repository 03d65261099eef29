"""The ``human`` policy: human-verified positives only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from vision.data.label_policy import LABEL_POLICIES, LabelEvidence
from vision.data.pair_codes import CodedTargets, PairCodes

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
        pairs = PairCodes(evidence)
        keys = []
        for block in pairs.blocks():
            k, conf = block.get("human", "Confidence")
            keys.append(np.unique(k[conf > 0]))
        key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
        return pairs.targets(key, np.ones(len(key)))
