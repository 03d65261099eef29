"""The ``seed`` soft-target policy: summed confidences with a per-image outlier cut."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from vision.data._group_stats import Groups
from vision.data.label_policy import LABEL_POLICIES, LabelEvidence
from vision.data.pair_codes import CodedTargets, PairBlock, PairCodes

__all__ = ["SeedPolicy"]


@LABEL_POLICIES.register("seed")
@dataclass
class SeedPolicy:
    r"""Confidence-weighted soft targets from every source, summed, then an outlier cut.

    For image :math:`i` and label :math:`l` the score is

    .. math::

        s_{il} = \sum_{\text{human rows, Confidence} > 0} 1
               + \sum_{\text{machine rows}} c
               + \sum_{\text{boxes}} (X_{max} - X_{min}) (Y_{max} - Y_{min})

    i.e. a human-verified positive counts 1.0, a machine label its confidence ``c``, and each
    bounding box the fraction of the image it covers (a box over the whole image counts 1.0, a
    box over a quarter 0.25). Human ``Confidence=0`` rows contribute nothing (this policy only
    collects positive evidence; ``precedence`` honours verified negatives). Pairs with
    :math:`s_{il} = 0` are dropped.

    Per image, with :math:`S_i` the scores of its remaining labels,

    .. math::

        t_i = \operatorname{median}(S_i) - k \cdot \operatorname{std}(S_i),

    where std is the *population* standard deviation (``ddof=0``) and ``k = num_std = 1``.
    A label is kept when :math:`s_{il} \ge t_i` (1e-9 tolerance for rounding) and dropped
    when it falls below: these are the weakly supported, usually over-specific labels. An
    image with a single label has std 0 and ``t_i = s``, so its label is always kept; so are
    all labels of an image whose scores are equal.

    Target :math:`= \min(s_{il}, 1)`.
    """

    num_std: float = 1.0
    name: ClassVar[str] = "seed"
    evidence_columns: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "human": ("Confidence",),
        "machine": ("Confidence",),
        "boxes": ("XMin", "XMax", "YMin", "YMax"),
    }

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame:
        return self.coded(evidence).frame()

    def coded(self, evidence: LabelEvidence) -> CodedTargets:
        """The targets on integer codes (:class:`~vision.data.pair_codes.CodedTargets`),
        computed a block of images at a time."""
        pairs = PairCodes(evidence)
        return pairs.per_block(lambda block: self._block(block, len(pairs.labels)))

    def _block(self, block: PairBlock, n_labels: int) -> tuple[np.ndarray, np.ndarray]:
        human, conf = block.get("human", "Confidence")
        machine, machine_conf = block.get("machine", "Confidence")
        boxes, x0, x1, y0, y1 = block.get("boxes", "XMin", "XMax", "YMin", "YMax")
        positive = conf > 0
        keys = np.concatenate([human[positive], machine, boxes])
        score = np.concatenate(
            [np.ones(int(positive.sum())), machine_conf, (x1 - x0) * (y1 - y0)]
        ).astype(np.float64, copy=False)
        del human, conf, machine, machine_conf, boxes, x0, x1, y0, y1, positive
        # per pair: the sum of its rows in file order (pandas' compensated sum, exactly)
        groups = Groups(keys)
        del keys
        scores = groups.sum(score)
        present = scores > 0
        pair, first, scores = groups.keys[present], groups.first[present], scores[present]
        del groups, score, present
        # per image: median and std of its pairs, taken in order of first appearance (the
        # order of pandas' Welford update); pairs stay in key order (by image, then label)
        by_first = _order_of(first)
        per_image = Groups(pair[by_first] // max(n_labels, 1))
        ordered = scores[by_first]
        del by_first, first
        median = np.repeat(per_image.median(ordered), per_image.sizes)
        std = np.repeat(per_image.std(ordered), per_image.sizes)
        del per_image, ordered
        kept = scores >= median - self.num_std * std - 1e-9
        return pair[kept], np.minimum(scores[kept], 1.0)


def _order_of(distinct: np.ndarray) -> np.ndarray:
    """``np.argsort(distinct)`` for distinct non-negative integers, by counting (O(n + max))."""
    if not len(distinct):
        return np.zeros(0, np.int64)
    slot = np.full(int(distinct.max()) + 1, -1, dtype=np.int64)
    slot[distinct] = np.arange(len(distinct))
    return slot[slot >= 0]
