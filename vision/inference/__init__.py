"""Prediction: the predictor (TTA), ensembles, decision overrides, submissions.

Public API (see ``docs/interfaces.md``)::

    Predictor(model, image_size, tta="flip").predict_folder(images_dir, ids) -> Predictions
    create_tta(name) / list_tta(); create_vote(name) / list_votes(); check_same_vocabulary
    predict_submission(runs, images, out, tta=..., vote=..., overrides=DecisionOverrides(...))
    evaluate_submission(solution, submission) -> {"mean_f2", "precision", "recall", ...}
    labels_from_decisions(ids, decisions, codes, scores)   # the file format: corpora.formats.label_sets

Runs are loaded with :class:`vision.adapt.AdaptedRun` (stored decision rule applied) on top of
:func:`vision.checkpoint.load_run`.
"""

from vision.inference.decision_overrides import DecisionOverrides
from vision.inference.ensemble import (
    VOTES,
    EnsembleResult,
    check_same_vocabulary,
    create_vote,
    list_votes,
)
from vision.inference.evaluate_submission import evaluate_submission
from vision.inference.predict_submission import predict_submission
from vision.inference.predictor import Predictions, Predictor
from vision.inference.submission import labels_from_decisions
from vision.inference.tta import (
    TTA_VIEWS,
    TestTimeAugmentation,
    create_tta,
    list_tta,
    tta_outputs,
    tta_probabilities,
)

__all__ = [
    "TTA_VIEWS",
    "VOTES",
    "DecisionOverrides",
    "EnsembleResult",
    "Predictions",
    "Predictor",
    "TestTimeAugmentation",
    "check_same_vocabulary",
    "create_tta",
    "create_vote",
    "evaluate_submission",
    "labels_from_decisions",
    "list_tta",
    "list_votes",
    "predict_submission",
    "tta_outputs",
    "tta_probabilities",
]
