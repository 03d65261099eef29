"""``AdaptationConfig``: the modes of an adaptation and every option, flat (``vision adapt``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from corpora.errors import InputError
from vision.adapt.adaptation_mode import ADAPTATION_MODES, AdaptationMode, parse_mode_specs

__all__ = ["AdaptationConfig", "UNSEEN_CANDIDATES"]

#: candidates tried by ``--unseen-threshold auto`` (None = the global threshold); the default
UNSEEN_CANDIDATES: tuple[float | None, ...] = (None, 0.3, 0.5, 0.7, 0.9)


@dataclass
class AdaptationConfig:
    """Hyper-parameters of :func:`~vision.adapt.adaptation.adapt` (defaults in brackets).

    Each mode reads its options from the fields named ``<its config_prefix><option>`` (see
    :mod:`vision.adapt.adaptation_mode`); the field defaults are the modes' defaults.

    The defaults are those of ``vision adapt``, ``bench/emoji.py`` and the demo: ``knn@both``
    then ``thresholds``, the kNN temperature chosen among 0.02/0.05/0.1 with the weight, and
    the threshold of labels without tuning positives chosen by cross-validation (``--unseen-
    threshold auto``); measured on two emoji style splits (README, "Style shift").

    Attributes:
        modes: the modes to compose, in any order [knn, thresholds]; a comma-separated string
            is accepted, and
            ``name@value`` words (``knn@both``) set the mode's shorthand option field
            (``knn_space``). Normalised to the tuple of names on construction.
        epochs: fine-tuning epochs [15]. lr: learning rate [1e-3; ``full`` uses ``lr / 10``].
        weight_decay: [1e-4]. batch_size: [32]. augment_views: cached augmented copies per
            tuning image for ``last-layer``/``head`` [8].
        replay: training-bank images mixed into each fine-tuning epoch, as a multiple of the
            tuning samples [1.0; 0 = off; needs ``bank_images``].
        inner_folds: folds for out-of-fold threshold/kNN fitting [5] (<= 1: in-sample).
        shrinkage: threshold shrinkage pseudo-count [5]. unseen_threshold: [0.5].
        count_rules: also fit min/max labels per image [True].
        min_labels: at least this many labels per image when count rules are not fitted [1].
        bias_strength: pseudo-count of the training prior in the tuning prior [10].
        knn_k / knn_temperature [10 / 0.05]; knn_weights: candidate mixing weights;
        knn_space: ``features``, ``pixels`` or ``both`` [both] (see
            ``vision.adapt.knn_transfer``).
        knn_temperatures: candidate temperatures chosen on out-of-fold F2 with the weight
            [(0.02, 0.05, 0.1); (): use ``knn_temperature``].
        unseen_candidates: candidate thresholds for labels absent from the tuning labels,
            chosen by cross-validation (None = the global threshold) [:data:`UNSEEN_CANDIDATES`;
            (): use ``unseen_threshold``].
        mode_options: options of modes that have no field here, by mode name [{}].
        seed: [0].
    """

    modes: tuple[str, ...] = ("knn", "thresholds")
    epochs: int = 15
    lr: float = 1e-3
    weight_decay: float = 1e-4
    batch_size: int = 32
    augment_views: int = 8
    replay: float = 1.0
    inner_folds: int = 5
    shrinkage: float = 5.0
    unseen_threshold: float | None = 0.5
    count_rules: bool = True
    min_labels: int = 1
    bias_strength: float = 10.0
    knn_k: int = 10
    knn_temperature: float = 0.05
    knn_space: str = "both"
    knn_temperatures: tuple[float, ...] = (0.02, 0.05, 0.1)
    unseen_candidates: tuple[float | None, ...] = UNSEEN_CANDIDATES
    knn_weights: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    seed: int = 0
    mode_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        specs = parse_mode_specs(self.modes)
        self.modes = tuple(name for name, _ in specs)
        for name, options in specs:
            for key, value in options.items():
                self._set_option(name, key, value)

    def _set_option(self, mode: str, option: str, value: Any) -> None:
        """Set ``option`` of ``mode`` from a ``name@value`` word."""
        fname = ADAPTATION_MODES.get(mode).attrs.get("config_prefix", "") + option
        if fname not in _FIELDS:
            self.mode_options = {
                **self.mode_options,
                mode: {**self.mode_options.get(mode, {}), option: value},
            }
            return
        current, default = getattr(self, fname), _FIELDS[fname]
        if current != default and current != value:
            raise InputError(
                f"mode {mode}@{value} conflicts with {fname.replace('_', '-')} {current}; "
                "give one of them"
            )
        setattr(self, fname, value)

    @property
    def weight_mode(self) -> str | None:
        """The weight mode among :attr:`modes`, or None."""
        return next((m for m in self.modes if ADAPTATION_MODES.has_tag(m, "weights")), None)

    def options_for(self, mode: str) -> dict[str, Any]:
        """The options of ``mode`` set by this config (fields, then ``mode_options``)."""
        entry = ADAPTATION_MODES.get(mode)
        prefix = entry.attrs.get("config_prefix", "")
        out = {
            o.name: getattr(self, prefix + o.name)
            for o in entry.options
            if prefix + o.name in _FIELDS
        }
        out.update(self.mode_options.get(entry.name, {}))
        return out

    def create_modes(self) -> list[AdaptationMode]:
        """The modes, built with their options, in pipeline order."""
        return [
            ADAPTATION_MODES.create(name, **self.options_for(name))
            for name in ADAPTATION_MODES.names()
            if name in self.modes
        ]


#: field name -> default (``mode_options`` excluded)
_FIELDS: dict[str, Any] = {
    f.name: f.default
    for f in dataclasses.fields(AdaptationConfig)
    if f.name not in ("modes", "mode_options")
}
