"""``vision predict`` as a function: a Kaggle submission from one run or an ensemble of runs.

Each run predicts the images (TTA views averaged), scores them with its decision rule (after
:class:`~vision.inference.decision_overrides.DecisionOverrides`) and decides; an ensemble
combines the members with a vote. Rows follow the sample submission when given; empty
predictions get the top-scoring labels and unreadable images the overall top labels.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpora.errors import InputError
from corpora.formats.label_sets import read_submission_ids, write_submission
from vision.adapt import AdaptedRun
from vision.data import DEFAULT_MAX_IMAGE_PIXELS, ImageDecoder
from vision.inference.decision_overrides import DecisionOverrides
from vision.inference.ensemble import check_same_vocabulary, create_vote
from vision.inference.predictor import Predictor
from vision.inference.submission import labels_from_decisions

__all__ = ["predict_submission"]

logger = logging.getLogger(__name__)


def predict_submission(
    runs: Sequence[str | os.PathLike[str]],
    images: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    which: str = "best",
    sample_submission: str | os.PathLike[str] | None = None,
    tta: str = "none",
    vote: str = "mean",
    batch_size: int = 64,
    device: str = "cpu",
    progress: bool = True,
    overrides: DecisionOverrides | None = None,
    fallback_labels: int = 1,
    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS,
) -> dict[str, Any]:
    """Predict ``images`` with ``runs`` (the first, then the ensemble members) and write the
    submission ``out`` atomically.

    Args:
        which: checkpoint of each run (best, last).
        sample_submission: defines the ids and the row order (default: every image, sorted).
        tta / vote: names of ``list_tta()`` / ``list_votes()``.
        overrides: decision-rule overrides applied to every run.
        fallback_labels: top labels given to an empty row (0: leave it empty).
        max_image_pixels: larger images are refused (decompression-bomb guard; 0 = no limit)
            and, like every image that cannot be decoded, get the fallback labels: the
            ``fallback_labels`` (at least 1) labels with the highest mean score over the
            images that were predicted.
    Returns:
        counts for the report: ``images`` (rows), ``predicted``, ``bad`` (unreadable, given the
        fallback), ``empty_filled``, ``runs``, ``labels_per_image``.
    """
    overrides = overrides or DecisionOverrides()
    loaded = [AdaptedRun.load(r, which) for r in runs]
    codes = check_same_vocabulary([(str(r.run_dir), r.codes) for r in loaded])
    order = read_submission_ids(sample_submission) if sample_submission else None
    all_scores, all_decisions, ids, bad = [], [], None, None
    for k, run in enumerate(loaded):
        predictor = Predictor(
            run.model,
            run.image_size,
            tta=tta,
            batch_size=batch_size,
            device=device,
            progress=progress,
            normalize=run.normalize,
            decoder=ImageDecoder(max_image_pixels=max_image_pixels),
        )
        preds = predictor.predict_folder(images, order, desc=f"predict {k + 1}/{len(loaded)}")
        if ids is not None and preds.image_ids != ids:
            raise InputError(f"run {run.run_dir} read a different set of images")
        ids, bad = preds.image_ids, preds.bad
        rule = overrides.rule_for(run)
        scores = rule.scores(preds.probs, preds.features, preds.pixels)
        all_scores.append(scores)
        all_decisions.append(rule.decide(scores))
    combined = create_vote(vote)(all_scores, all_decisions)
    if combined.decisions is not None:
        decisions = combined.decisions
    elif len(loaded) == 1:
        decisions = all_decisions[0]
    else:
        decisions = overrides.rule_for(loaded[0]).decide(combined.scores)
    labels, n_fallback = labels_from_decisions(
        ids, decisions, codes, combined.scores, fallback_k=fallback_labels
    )
    fallback = None
    if len(ids):
        mean_scores = combined.scores.mean(0)
        fallback = [codes[j] for j in np.argsort(-mean_scores)[: max(fallback_labels, 1)]]
    for image_id, reason in bad or []:
        logger.warning("image %s skipped (%s): given the fallback labels", image_id, reason)
    if bad and fallback is None:
        raise InputError(f"no image of {images} could be read; nothing to predict from")
    if order is None:
        order = sorted(set(ids) | {b[0] for b in bad or []})
    write_submission(out, labels, order=order, fallback=fallback)
    return {
        "images": len(order),
        "predicted": len(ids),
        "bad": len(bad or []),
        "empty_filled": n_fallback,
        "runs": len(loaded),
        "labels_per_image": float(np.mean([len(v) for v in labels.values()])) if labels else 0.0,
    }
