"""The adaptation modes, one module each; importing this package registers them in
:data:`vision.adapt.adaptation_mode.ADAPTATION_MODES` (a new mode is one new module here, plus
its line below).

Weights: ``last-layer``, ``head``, ``full`` (:class:`~vision.adapt.fine_tune_mode.FineTuneMode`);
scores: ``bias``, ``knn``, ``plausibility`` (uses the label graph); decision: ``thresholds``.
"""

from vision.adapt.modes import (  # noqa: F401  (each module registers its mode)
    bias_mode,
    full_mode,
    head_mode,
    knn_mode,
    last_layer_mode,
    plausibility_mode,
    thresholds_mode,
)

__all__: list[str] = []
