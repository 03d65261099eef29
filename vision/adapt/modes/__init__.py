"""The adaptation modes, one module each; importing this package registers them in
:data:`vision.adapt.adaptation_mode.ADAPTATION_MODES` (a new mode is one new module here, nothing else).

Weights: ``bn-stats`` (AdaBN), ``last-layer``, ``head``, ``full`` (:class:`~vision.adapt.fine_tune_mode.FineTuneMode`);
scores: ``bias``, ``neighbour-bias`` (``bias`` borrowing along the label graph), ``knn``,
``knn-propagation`` (``knn`` propagated along the label graph),
``plausibility`` (uses the label graph); decision: ``thresholds``, ``neighbour-thresholds``
(labels with few tuning positives borrow their graph neighbours' thresholds).
"""

from corpora.catalogue import import_plugins

__all__: list[str] = []

import_plugins(__name__, __path__)  # each module registers its mode
