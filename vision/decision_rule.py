"""How an (adapted) run turns probabilities into labels: prior shift, kNN mix, thresholds.

Applied in this order by ``vision predict``::

    p = sigmoid(logits)                         (averaged over TTA views, by the predictor)
    p = shift_probs(p, logit_offset)            (``bias`` mode: log prior-odds ratio)
    p = (1 - w) p + w knn.scores(features)      (``knn`` mode: label transfer)
    labels = thresholds.decide(p)               (``thresholds`` mode; else one global value)

On disk (inside a run folder): ``decision.json`` (``format: "vision.decision_rule"``,
``version: 1``: codes, thresholds, label-count rules, kNN parameters, fit statistics) and
``decision.npz`` (``logit_offset [L]``, kNN bank ``features [M, F]`` and labels as csr parts).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import CorruptInputError, InputError
from vision.knn_transfer import KNNTransfer, knn_vectors
from vision.prior_shift import shift_probs
from vision.thresholds import ClassThresholds

__all__ = ["DecisionRule", "DECISION_JSON", "DECISION_NPZ"]

FORMAT = "vision.decision_rule"
VERSION = 1
DECISION_JSON = "decision.json"
DECISION_NPZ = "decision.npz"


@dataclass
class DecisionRule:
    """Post-processing of probabilities ``[N, L]`` into label decisions.

    Attributes:
        codes: ``[L]`` label codes in model order.
        thresholds: per-class thresholds and label-count rules.
        logit_offset: ``[L]`` prior-shift offset, or None.
        knn: kNN label transfer, or None.
        stats: fit statistics (stored in ``decision.json``).
    """

    codes: list[str]
    thresholds: ClassThresholds
    logit_offset: np.ndarray | None = None
    knn: KNNTransfer | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def default(cls, codes: list[str], threshold: float = 0.5, min_labels: int = 0) -> DecisionRule:
        """No adaptation: one global threshold."""
        return cls(list(codes), ClassThresholds.constant(codes, threshold, min_labels))

    @property
    def needs_features(self) -> bool:
        return self.knn is not None and self.knn.weight > 0

    def scores(
        self,
        probs: np.ndarray,
        features: np.ndarray | None = None,
        pixels: np.ndarray | None = None,
    ) -> np.ndarray:
        """Adapted scores ``[N, L]`` from probabilities ``[N, L]`` (and, for kNN, backbone
        features ``[N, F]`` and/or pixel vectors ``[N, P]`` as its space needs)."""
        p = np.asarray(probs, dtype=np.float64)
        if self.logit_offset is not None:
            p = shift_probs(p, self.logit_offset)
        if self.needs_features:
            if features is None and pixels is None:
                raise ValueError("this decision rule mixes kNN scores: pass the image features")
            p = self.knn.mix(p, knn_vectors(features, pixels, self.knn.space))
        return p

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Label decisions ``[N, L]`` bool from :meth:`scores`."""
        return self.thresholds.decide(scores)

    def save(self, run_dir: str | os.PathLike[str]) -> Path:
        """Write ``decision.json`` and ``decision.npz`` into ``run_dir`` (atomically)."""
        run_dir = Path(run_dir)
        arrays: dict[str, np.ndarray] = {}
        if self.logit_offset is not None:
            arrays["logit_offset"] = np.asarray(self.logit_offset, dtype=np.float64)
        knn_meta = None
        if self.knn is not None:
            t = self.knn.targets.tocsr()
            arrays.update(
                knn_features=self.knn.features.astype(np.float32),
                knn_indptr=t.indptr,
                knn_indices=t.indices,
                knn_data=t.data,
            )
            knn_meta = {
                "k": self.knn.k,
                "temperature": self.knn.temperature,
                "weight": self.knn.weight,
                "space": self.knn.space,
                "bank_size": int(self.knn.features.shape[0]),
            }
        with atomic_path(run_dir / DECISION_NPZ) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
        meta = {
            "format": FORMAT,
            "version": VERSION,
            "codes": list(self.codes),
            "thresholds": self.thresholds.to_dict(),
            "has_logit_offset": self.logit_offset is not None,
            "knn": knn_meta,
            "stats": self.stats,
        }
        with atomic_write(run_dir / DECISION_JSON) as fh:
            json.dump(meta, fh, indent=1)
        return run_dir / DECISION_JSON

    @classmethod
    def exists(cls, run_dir: str | os.PathLike[str]) -> bool:
        return (Path(run_dir) / DECISION_JSON).is_file()

    @classmethod
    def load(cls, run_dir: str | os.PathLike[str]) -> DecisionRule:
        """Read the files written by :meth:`save`."""
        run_dir = Path(run_dir)
        jpath, npath = run_dir / DECISION_JSON, run_dir / DECISION_NPZ
        if not jpath.is_file() or not npath.is_file():
            raise InputError(
                f"{run_dir} has no {DECISION_JSON}/{DECISION_NPZ}; run `vision adapt` to make one"
            )
        try:
            meta = json.loads(jpath.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise CorruptInputError(f"{jpath} is not valid JSON: {exc}") from exc
        if meta.get("format") != FORMAT or meta.get("version") != VERSION:
            raise InputError(f"{jpath} is not a {FORMAT} v{VERSION} file; re-run `vision adapt`")
        with np.load(npath, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        codes = list(meta["codes"])
        t = meta["thresholds"]
        thresholds = ClassThresholds(
            list(t["codes"]),
            np.asarray(t["thresholds"]),
            float(t["global_threshold"]),
            int(t["min_labels"]),
            t["max_labels"],
            dict(t.get("stats", {})),
        )
        knn = None
        if meta.get("knn"):
            m = meta["knn"]
            feats = arrays["knn_features"]
            targets = sp.csr_matrix(
                (arrays["knn_data"], arrays["knn_indices"], arrays["knn_indptr"]),
                shape=(feats.shape[0], len(codes)),
            )
            knn = KNNTransfer(
                feats,
                targets,
                int(m["k"]),
                float(m["temperature"]),
                float(m["weight"]),
                str(m.get("space", "features")),
            )
        offset = arrays.get("logit_offset") if meta.get("has_logit_offset") else None
        return cls(codes, thresholds, offset, knn, dict(meta.get("stats", {})))
