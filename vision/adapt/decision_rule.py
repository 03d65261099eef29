"""How an (adapted) run turns probabilities into labels: score steps, then thresholds.

Applied in this order by ``vision predict``::

    p = sigmoid(logits)                         (averaged over TTA views, by the predictor)
    p = step(p) for each score step             (vision.adapt.score_step.SCORE_STEPS order:
                                                 ``prior-shift`` from the ``bias`` mode, then
                                                 ``knn`` label transfer from the ``knn`` mode,
                                                 ``plausibility`` from the graph)
    labels = thresholds.decide(p)               (``thresholds`` mode; else one global value)

Scale: :meth:`DecisionRule.scores` and :meth:`DecisionRule.decide_sparse` work a block of rows
at a time (score steps act on each image's row alone), so the probabilities ``[N, L]`` of
32,580 test images x 7,178 labels meet one float64 ``[N, L]`` result (none when the rule has
no score step) and never the steps' temporaries at full size.

On disk (inside a run folder): ``decision.json`` (``format: "vision.decision_rule"``,
``version: 1``: codes, thresholds, label-count rules, one key per kind of score step
(``has_logit_offset``, ``knn``), fit statistics) and ``decision.npz`` (the steps' arrays:
``logit_offset [L]``, kNN bank ``features [M, F]`` and labels as csr parts).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import CorruptInputError, InputError
from vision.adapt.knn_transfer import KNNTransfer
from vision.adapt.prior_shift import PriorShift
from vision.adapt.score_step import SCORE_STEPS, ScoreStep
from vision.adapt.thresholds import ClassThresholds
from vision.metrics._arrays import DEFAULT_CHUNK_ROWS, as_matrix, dense_rows, row_blocks

__all__ = ["DecisionRule", "DECISION_JSON", "DECISION_NPZ"]

FORMAT = "vision.decision_rule"
VERSION = 1
DECISION_JSON = "decision.json"
DECISION_NPZ = "decision.npz"


def _kind(step: ScoreStep) -> str:
    """The :data:`SCORE_STEPS` name of ``step``'s class."""
    for entry in SCORE_STEPS.entries():
        if isinstance(step, entry.factory):
            return entry.name
    raise TypeError(f"{type(step).__name__} is not a registered score step")


class DecisionRule:
    """Post-processing of probabilities ``[N, L]`` into label decisions.

    Args:
        codes: ``[L]`` label codes in model order.
        thresholds: per-class thresholds and label-count rules.
        logit_offset: ``[L]`` prior-shift offset, or None (the ``prior-shift`` step).
        knn: kNN label transfer, or None (the ``knn`` step).
        stats: fit statistics (stored in ``decision.json``).
        steps: further score steps (at most one of each registered kind).
    """

    def __init__(
        self,
        codes: Sequence[str],
        thresholds: ClassThresholds,
        logit_offset: np.ndarray | None = None,
        knn: KNNTransfer | None = None,
        stats: dict[str, Any] | None = None,
        *,
        steps: Iterable[ScoreStep] = (),
    ) -> None:
        self.codes = list(codes)
        self.thresholds = thresholds
        self.stats: dict[str, Any] = {} if stats is None else stats
        self._steps: dict[str, ScoreStep] = {}
        for step in steps:
            self.set_step(step)
        if logit_offset is not None:
            self.logit_offset = logit_offset
        if knn is not None:
            self.knn = knn

    @classmethod
    def default(cls, codes: list[str], threshold: float = 0.5, min_labels: int = 0) -> DecisionRule:
        """No adaptation: one global threshold."""
        return cls(list(codes), ClassThresholds.constant(codes, threshold, min_labels))

    # ------------------------------------------------------------------ steps
    @property
    def steps(self) -> list[ScoreStep]:
        """The score steps in the order they apply (:data:`SCORE_STEPS` priority)."""
        return [self._steps[name] for name in SCORE_STEPS.names() if name in self._steps]

    def step(self, kind: str) -> ScoreStep | None:
        """The step of kind ``kind`` (a :data:`SCORE_STEPS` name), or None."""
        return self._steps.get(SCORE_STEPS.canonical(kind))

    def set_step(self, step: ScoreStep) -> None:
        """Add ``step``, replacing a step of the same kind."""
        self._steps[_kind(step)] = step

    def without(self, kind: str) -> DecisionRule:
        """A copy without the step of kind ``kind`` (the same rule when it has none)."""
        kind = SCORE_STEPS.canonical(kind)
        steps = [s for name, s in self._steps.items() if name != kind]
        return DecisionRule(self.codes, self.thresholds, stats=self.stats, steps=steps)

    @property
    def logit_offset(self) -> np.ndarray | None:
        step = self._steps.get("prior-shift")
        return step.offset if isinstance(step, PriorShift) else None

    @logit_offset.setter
    def logit_offset(self, offset: np.ndarray | None) -> None:
        if offset is None:
            self._steps.pop("prior-shift", None)
        else:
            self.set_step(PriorShift(offset))

    @property
    def knn(self) -> KNNTransfer | None:
        step = self._steps.get("knn")
        return step if isinstance(step, KNNTransfer) else None

    @knn.setter
    def knn(self, knn: KNNTransfer | None) -> None:
        if knn is None:
            self._steps.pop("knn", None)
        else:
            self.set_step(knn)

    @property
    def needs_features(self) -> bool:
        return self.knn is not None and self.knn.weight > 0

    # ------------------------------------------------------------------ applying
    def scores(
        self,
        probs: np.ndarray,
        features: np.ndarray | None = None,
        pixels: np.ndarray | None = None,
        *,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
    ) -> np.ndarray:
        """Adapted scores ``[N, L]`` from probabilities ``[N, L]`` (and, for kNN, backbone
        features ``[N, F]`` and/or pixel vectors ``[N, P]`` as its space needs).

        The steps run on blocks of ``chunk_rows`` rows (each step treats every row alone)
        into one float64 ``[N, L]`` result. Without a score step the probabilities are
        returned as they are (no copy; float32 from the predictor): every use of the scores
        (thresholds, ranking, votes) reads them exactly as float64.
        """
        steps = self.steps
        if not steps:
            return probs
        p = as_matrix(probs)
        out = np.empty(p.shape, dtype=np.float64)
        for block in row_blocks(p.shape[0], chunk_rows):
            s = dense_rows(p, block, np.float64)
            f = None if features is None else features[block]
            x = None if pixels is None else pixels[block]
            for step in steps:
                s = step.apply(s, f, x)
            out[block] = s
        return out

    def decide(self, scores: np.ndarray) -> np.ndarray:
        """Label decisions ``[N, L]`` bool from :meth:`scores`."""
        return self.thresholds.decide(scores)

    def decide_sparse(self, scores: np.ndarray) -> sp.csr_matrix:
        """Label decisions as a boolean CSR matrix ``[N, L]``, decided a block of rows at a
        time (:meth:`ClassThresholds.decide_sparse`)."""
        return self.thresholds.decide_sparse(scores)

    # ------------------------------------------------------------------ files
    def save(self, run_dir: str | os.PathLike[str]) -> Path:
        """Write ``decision.json`` and ``decision.npz`` into ``run_dir`` (atomically)."""
        run_dir = Path(run_dir)
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "codes": list(self.codes),
            "thresholds": self.thresholds.to_dict(),
        }
        for entry in SCORE_STEPS.entries():
            entry.factory.save_into(self._steps.get(entry.name), meta, arrays)
        meta["stats"] = self.stats
        with atomic_path(run_dir / DECISION_NPZ) as tmp:
            with open(tmp, "wb") as fh:
                np.savez(fh, **arrays)
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
        steps = [entry.factory.load_from(meta, arrays, codes) for entry in SCORE_STEPS.entries()]
        return cls(
            codes,
            thresholds,
            stats=dict(meta.get("stats", {})),
            steps=[s for s in steps if s is not None],
        )

    def __repr__(self) -> str:
        kinds = ", ".join(_kind(s) for s in self.steps) or "none"
        return f"DecisionRule({len(self.codes)} labels, steps: {kinds})"
