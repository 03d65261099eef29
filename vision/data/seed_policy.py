"""The ``seed`` soft-target policy: summed confidences with a per-image outlier cut."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from vision.data.label_policy import LABEL_POLICIES, LabelEvidence, finish_targets

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

    def __call__(self, evidence: LabelEvidence) -> pd.DataFrame:
        parts = []
        h = evidence.human
        h = h.loc[h["Confidence"] > 0, ["ImageID", "LabelName"]]
        parts.append(h.assign(score=1.0))
        m = evidence.machine
        parts.append(m.loc[:, ["ImageID", "LabelName"]].assign(score=m["Confidence"].astype(float)))
        b = evidence.boxes
        area = (b["XMax"] - b["XMin"]) * (b["YMax"] - b["YMin"])
        parts.append(b.loc[:, ["ImageID", "LabelName"]].assign(score=area.astype(float)))
        allrows = pd.concat(parts, ignore_index=True)
        scores = allrows.groupby(["ImageID", "LabelName"], sort=False)["score"].sum().reset_index()
        scores = scores.loc[scores["score"] > 0]
        per_image = scores.groupby("ImageID", sort=False)["score"]
        median = per_image.transform("median")
        std = scores["ImageID"].map(per_image.std(ddof=0)).fillna(0.0)
        threshold = median - self.num_std * std
        kept = scores.loc[scores["score"] >= threshold - 1e-9]
        return finish_targets(kept.assign(Target=kept["score"].clip(upper=1.0)))
