"""Prediction: the predictor (TTA), ensembles, decision overrides, submissions.

Public API (see ``docs/interfaces.md``)::

    Predictor(model, image_size, tta="flip").predict_folder(images_dir, ids) -> Predictions
    create_tta(name) / list_tta(); create_vote(name) / list_votes(); check_same_vocabulary
    predict_submission(runs, images, out, tta=..., vote=..., overrides=DecisionOverrides(...))
    evaluate_submission(solution, submission) -> {"mean_f2", "precision", "recall", ...}
    labels_from_decisions(ids, decisions, codes, scores)   # the file format: corpora.formats.label_sets

Runs are loaded with :class:`vision.adapt.AdaptedRun` (stored decision rule applied) on top of
:func:`vision.checkpoint.load_run`.

The names are imported on first use (PEP 562), so that ``evaluate_submission`` (CSV files
only) runs without importing torch; ``from vision.inference import X`` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: public name -> the module that defines it
_HOMES = {
    "DecisionOverrides": "decision_overrides",
    "VOTES": "ensemble",
    "EnsembleResult": "ensemble",
    "check_same_vocabulary": "ensemble",
    "create_vote": "ensemble",
    "list_votes": "ensemble",
    "evaluate_submission": "evaluate_submission",
    "predict_submission": "predict_submission",
    "Predictions": "predictor",
    "Predictor": "predictor",
    "labels_from_decisions": "submission",
    "TTA_VIEWS": "tta",
    "TestTimeAugmentation": "tta",
    "create_tta": "tta",
    "list_tta": "tta",
    "tta_outputs": "tta",
    "tta_probabilities": "tta",
}

__all__ = [
    "DecisionOverrides",
    "EnsembleResult",
    "Predictions",
    "Predictor",
    "TTA_VIEWS",
    "TestTimeAugmentation",
    "VOTES",
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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
