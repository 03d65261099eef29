"""Tuning-label adaptation: modes, the honest out-of-fold pipeline, decision rules, adapted runs.

Public API (see ``docs/interfaces.md``)::

    cfg = AdaptationConfig(modes="last-layer,knn@both,thresholds", epochs=15, ...)
    result = adapt(model, images [N, 3, H, W], targets [N, L], codes, cfg, source_prior=...,
                   bank_images=..., bank_targets=..., unlabeled_images=...)
    result.model; result.rule (DecisionRule: score steps, then ClassThresholds); result.stats
    cross_validate(model, images, targets, codes, cfg, folds) -> {"before_mean", "after_mean", ...}
    run_adaptation(run_dir, tuning_labels, images, cfg, out=...)   # `vision adapt`
    AdaptedRun.load(run_dir) / AdaptedRun.write(...)                # run folders

Modes (:data:`ADAPTATION_MODES`, one file each in :mod:`vision.adapt.modes`, registered when
this package is imported):
``last-layer``, ``head``, ``full`` (weights), ``bias``, ``neighbour-bias``, ``knn``,
``knn-propagation``, ``plausibility`` (scores), ``thresholds``, ``neighbour-thresholds``
(decision); the modes that read the label graph carry the catalogue tag ``uses_graph``
(``neighbour-bias``, ``knn-propagation``, ``plausibility``, ``neighbour-thresholds``). Score steps of a decision rule: :data:`SCORE_STEPS` (``prior-shift``, ``knn``,
``plausibility``).
"""

import vision.adapt.modes  # noqa: F401  (registers the adaptation modes)
from vision.adapt.adaptation import AdaptationResult, adapt, cross_validate
from vision.adapt.adaptation_config import AdaptationConfig
from vision.adapt.adaptation_data import (
    TrainingBank,
    TuningSet,
    load_training_bank,
    load_tuning_set,
    load_unlabeled_images,
    tuning_matrix,
)
from vision.adapt.adaptation_inputs import AdaptationInputs, Query
from vision.adapt.adaptation_mode import (
    ADAPTATION_MODES,
    AdaptationMode,
    DecisionMode,
    ScoreMode,
    WeightMode,
    list_modes,
    parse_mode_specs,
    parse_modes,
    register_mode,
)
from vision.adapt.adapted_run import AdaptedRun
from vision.adapt.decision_rule import DecisionRule
from vision.adapt.fine_tune_mode import FineTuneMode
from vision.adapt.folds import fold_indices
from vision.adapt.knn_transfer import KNN_SPACES, KNNTransfer, knn_vectors, pixel_vectors
from vision.adapt.load_images import load_images
from vision.adapt.model_outputs import embed, head_probs
from vision.adapt.modes.thresholds_mode import UNSEEN_CANDIDATES, parse_unseen_threshold
from vision.adapt.prior_shift import PriorShift
from vision.adapt.run_adaptation import AdaptationReport, run_adaptation
from vision.adapt.score_step import SCORE_STEPS, ScoreStep
from vision.adapt.thresholds import ClassThresholds

__all__ = [
    "ADAPTATION_MODES",
    "KNN_SPACES",
    "SCORE_STEPS",
    "UNSEEN_CANDIDATES",
    "AdaptationConfig",
    "AdaptationInputs",
    "AdaptationMode",
    "AdaptationReport",
    "AdaptationResult",
    "AdaptedRun",
    "ClassThresholds",
    "DecisionMode",
    "DecisionRule",
    "FineTuneMode",
    "KNNTransfer",
    "PriorShift",
    "Query",
    "ScoreMode",
    "ScoreStep",
    "TrainingBank",
    "TuningSet",
    "WeightMode",
    "adapt",
    "cross_validate",
    "embed",
    "fold_indices",
    "head_probs",
    "knn_vectors",
    "list_modes",
    "load_images",
    "load_training_bank",
    "load_tuning_set",
    "load_unlabeled_images",
    "parse_mode_specs",
    "parse_modes",
    "parse_unseen_threshold",
    "pixel_vectors",
    "register_mode",
    "run_adaptation",
    "tuning_matrix",
]
