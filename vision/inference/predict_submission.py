"""``vision predict`` as a function: a Kaggle submission from one run or an ensemble of runs.

Each run predicts the images (TTA views averaged), scores them with its decision rule (after
:class:`~vision.inference.decision_overrides.DecisionOverrides`) and decides; an ensemble
combines the members with a vote. Rows follow the sample submission when given; empty
predictions get the top-scoring labels and unreadable images the overall top labels.

A folder with nothing to predict, or one that holds fewer than ``min_match`` of the requested
images (a wrong ``--images`` folder, a partial download), is an error rather than a file of
fallback rows. The scores can be saved for outside ensembling (:func:`save_scores`).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError
from corpora.formats.label_sets import read_submission_ids, write_submission
from vision.adapt import AdaptedRun
from vision.data import DEFAULT_MAX_IMAGE_PIXELS, ImageDecoder
from vision.inference.decision_overrides import DecisionOverrides
from vision.inference.ensemble import check_same_vocabulary, create_vote
from vision.inference.predictor import Predictor
from vision.inference.submission import labels_from_decisions
from vision.resolve_device import resolve_device

__all__ = ["predict_submission", "save_scores", "SCORE_FORMATS"]

logger = logging.getLogger(__name__)

#: file suffix -> what :func:`save_scores` writes
SCORE_FORMATS = {
    ".npz": "numpy npz: ids [N] str, codes [L] str, probs [N, L] float32",
    ".parquet": "parquet (needs pyarrow): column image_id, then one float32 column per code",
}


def _check_scores_path(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if path.suffix not in SCORE_FORMATS:
        raise InputError(
            f"--save-probs {path}: unknown format {path.suffix!r}; name the file "
            f"{' or '.join('*' + s for s in SCORE_FORMATS)}"
        )
    if path.suffix == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(
                f"--save-probs {path}: parquet needs pyarrow (pip install pyarrow); or save "
                f"{path.with_suffix('.npz')}"
            ) from None
    return path


def save_scores(
    path: str | os.PathLike[str],
    image_ids: Sequence[str],
    codes: Sequence[str],
    probs: np.ndarray,
) -> Path:
    """Write scores ``probs [N, L]`` of ``image_ids [N]`` x ``codes [L]`` atomically, as
    ``.npz`` (arrays ``ids``, ``codes``, ``probs`` float32) or ``.parquet`` (column
    ``image_id`` then one float32 column per code), chosen by the suffix."""
    path = _check_scores_path(path)
    probs = np.asarray(probs, dtype=np.float32).reshape(len(image_ids), len(codes))
    if path.suffix == ".npz":
        with atomic_write(path, "wb") as fh:
            np.savez_compressed(
                fh,
                ids=np.asarray(image_ids, dtype=str),
                codes=np.asarray(codes, dtype=str),
                probs=probs,
            )
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {"image_id": pa.array(list(image_ids), pa.string())}
        columns.update({code: pa.array(probs[:, j]) for j, code in enumerate(codes)})
        with atomic_path(path) as tmp:
            pq.write_table(pa.table(columns), tmp)
    return path


def _reason(text: str) -> str:
    """The kind of a bad image's reason: ``missing file``, ``cannot decode`` (the reason goes
    on with the file and what the decoder said)."""
    return "cannot decode" if text.startswith("cannot decode") else text.split(":", 1)[0].strip()


def _report_bad(bad: Sequence[tuple[str, str]], expected: int, images: Any) -> None:
    """One warning for the images that get fallback labels (counts by reason, 3 examples);
    every image at debug level (-v)."""
    if not bad:
        return
    kinds = Counter(_reason(reason) for _, reason in bad)
    logger.warning(
        "%d of %d images could not be predicted from %s and get the fallback labels (%s); "
        "e.g. %s; -v lists them all",
        len(bad),
        expected,
        images,
        ", ".join(f"{kind}: {n}" for kind, n in kinds.most_common()),
        ", ".join(f"{i} ({r})" for i, r in bad[:3]),
    )
    for image_id, reason in bad:
        logger.debug("image %s could not be predicted (%s): fallback labels", image_id, reason)


def _check_match(
    predicted: int,
    bad: Sequence[tuple[str, str]],
    expected: int,
    images: Any,
    sample_submission: Any,
    min_match: float,
) -> None:
    """Nothing to predict, or fewer than ``min_match`` of the expected images readable, is
    an error."""
    if expected == 0:
        where = (
            f"{sample_submission} has no rows"
            if sample_submission
            else (f"{images} holds no image files (.jpg, .jpeg, .png, .webp)")
        )
        raise InputError(f"nothing to predict: {where}")
    if predicted == 0:
        raise InputError(
            f"none of the {expected} images could be read from {images} (e.g. "
            f"{bad[0][0]}: {bad[0][1]}); check --images"
            + (" and --sample-submission" if sample_submission else "")
        )
    share = predicted / expected
    if share < min_match:
        kinds = Counter(_reason(reason) for _, reason in bad)
        raise InputError(
            f"only {predicted} of the {expected} images ({share:.1%}) could be predicted from "
            f"{images} ({', '.join(f'{k}: {n}' for k, n in kinds.most_common())}; e.g. "
            f"{bad[0][0]}), below --min-match {min_match:g}: check --images"
            + (" against --sample-submission" if sample_submission else "")
            + ", or pass --min-match 0 to write fallback labels for the rest"
        )


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
    min_match: float = 0.5,
    save_probs: str | os.PathLike[str] | None = None,
    amp: bool | str = False,
    channels_last: bool = False,
) -> dict[str, Any]:
    """Predict ``images`` with ``runs`` (the first, then the ensemble members) and write the
    submission ``out`` atomically.

    Args:
        which: checkpoint of each run (best, last).
        sample_submission: defines the ids and the row order (default: every image, sorted).
        tta / vote: names of ``list_tta()`` / ``list_votes()``.
        device: ``cpu``, ``cuda``, ``cuda:N``, ``mps`` or ``auto``
            (:func:`~vision.resolve_device.resolve_device`).
        overrides: decision-rule overrides applied to every run.
        fallback_labels: top labels given to an empty row (0: leave it empty).
        max_image_pixels: larger images are refused (decompression-bomb guard; 0 = no limit)
            and, like every image that cannot be decoded, get the fallback labels: the
            ``fallback_labels`` (at least 1) labels with the highest mean score over the
            images that were predicted.
        min_match: the least share of the requested images (the sample submission's ids, or
            the folder's files) that must be readable; 0 accepts any share above none.
        save_probs: also write the scores the decisions were taken on (each run's
            probabilities after its decision rule's score steps, combined by the vote) to
            this ``.npz`` or ``.parquet`` file (:func:`save_scores`).
        amp / channels_last: mixed precision and NHWC batches of the forward passes
            (:class:`~vision.inference.predictor.Predictor`).
    Returns:
        counts for the report: ``images`` (rows), ``predicted``, ``bad`` (unreadable, given the
        fallback), ``empty_filled``, ``runs``, ``labels_per_image``, ``device``.
    Raises:
        InputError: nothing to predict, fewer than ``min_match`` readable, an unavailable
            device, an unknown ``save_probs`` format.
    """
    overrides = overrides or DecisionOverrides()
    if not 0.0 <= min_match <= 1.0:
        raise InputError(f"--min-match is a share between 0 and 1, not {min_match}")
    if save_probs is not None:
        _check_scores_path(save_probs)
    dev = resolve_device(device)
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
            device=str(dev),
            progress=progress,
            normalize=run.normalize,
            decoder=ImageDecoder(max_image_pixels=max_image_pixels),
            amp=amp,
            channels_last=channels_last,
        )
        preds = predictor.predict_folder(images, order, desc=f"predict {k + 1}/{len(loaded)}")
        if ids is not None and preds.image_ids != ids:
            raise InputError(f"run {run.run_dir} read a different set of images")
        ids, bad = preds.image_ids, list(preds.bad)
        if k == 0:
            expected = len(order) if order is not None else len(ids) + len(bad)
            _check_match(len(ids), bad, expected, images, sample_submission, min_match)
        rule = overrides.rule_for(run)
        scores = rule.scores(preds.probs, preds.features, preds.pixels)
        del preds  # the probabilities live on in `scores` (the same array without steps)
        all_scores.append(scores)
        all_decisions.append(rule.decide_sparse(scores))
    combined = create_vote(vote)(all_scores, all_decisions)
    if combined.decisions is not None:
        decisions = combined.decisions
    elif len(loaded) == 1:
        decisions = all_decisions[0]
    else:
        decisions = overrides.rule_for(loaded[0]).decide_sparse(combined.scores)
    labels, n_fallback = labels_from_decisions(
        ids, decisions, codes, combined.scores, fallback_k=fallback_labels
    )
    mean_scores = combined.scores.mean(0, dtype=np.float64)
    fallback = [codes[j] for j in np.argsort(-mean_scores)[: max(fallback_labels, 1)]]
    if order is None:
        order = sorted(set(ids) | {b[0] for b in bad})
    _report_bad(bad, len(order), images)
    write_submission(out, labels, order=order, fallback=fallback)
    if save_probs is not None:
        save_scores(save_probs, ids, codes, combined.scores)
    return {
        "images": len(order),
        "predicted": len(ids),
        "bad": len(bad),
        "empty_filled": n_fallback,
        "runs": len(loaded),
        "labels_per_image": float(np.mean([len(v) for v in labels.values()])) if labels else 0.0,
        "device": str(dev),
    }
