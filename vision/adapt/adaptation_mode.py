"""Adaptation modes: the catalogue, the three kinds of mode and the one ``--mode`` parser.

A mode is fitted on tuning images, then applied. The kinds differ in what they change:

* :class:`WeightMode` (stage ``weights``, at most one per adaptation): ``fit`` returns a
  fine-tuned copy of the model, which replaces it (``last-layer``, ``head``, ``full``);
* :class:`ScoreMode` (stage ``scores``): ``fit`` learns something from the tuning images,
  ``apply`` transforms probabilities ``[N, L]`` with it, and ``step`` turns it into the
  :class:`~vision.adapt.score_step.ScoreStep` the decision rule stores (``bias``, ``knn``).
  The candidate ``settings()`` of a mode are chosen on out-of-fold scores;
* :class:`DecisionMode` (stage ``decision``, at most one): fits the thresholds on the
  (out-of-fold) scores (``thresholds``).

An adaptation runs the weight mode, then the score modes, then the decision mode; score modes
run in catalogue order (``priority``: ``bias`` before ``knn``) whatever the order of ``--mode``.

Options: each mode declares its options as keyword parameters of its class (the catalogue
reads them). :class:`~vision.adapt.adaptation_config.AdaptationConfig` fills option ``o`` of a
mode registered with ``config_prefix=p`` from its field ``p + o`` (``knn_k`` -> the ``knn``
mode's ``k``), else from ``mode_options``. In a mode list, ``name@value`` sets the mode's
``shorthand`` option: ``knn@both`` is ``knn`` with ``space="both"``.

A new mode is one new file in :mod:`vision.adapt.modes`: a subclass decorated with
:func:`register_mode` (and its import line in ``vision/adapt/modes/__init__.py``). The
pipeline itself lives in :mod:`vision.adapt.adaptation`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np
import torch
from torch import nn

from corpora.catalogue import Catalogue
from corpora.errors import InputError

if TYPE_CHECKING:
    from vision.adapt.adaptation_inputs import AdaptationInputs, Query
    from vision.adapt.score_step import ScoreStep
    from vision.adapt.thresholds import ClassThresholds

__all__ = [
    "ADAPTATION_MODES",
    "STAGES",
    "AdaptationMode",
    "DecisionMode",
    "ScoreMode",
    "WeightMode",
    "candidate_grid",
    "list_modes",
    "parse_mode_specs",
    "parse_modes",
    "register_mode",
]

#: the kinds of mode, in the order an adaptation runs them
STAGES = ("weights", "scores", "decision")
#: stages that take at most one mode
_SINGLE = ("weights", "decision")

M = TypeVar("M", bound=type)


class AdaptationMode:
    """Base of every adaptation mode (see module doc).

    Class attributes:
        name: the catalogue name (set by :func:`register_mode`).
        stage: one of :data:`STAGES`.
        needs_out_of_fold: the mode is fitted on, or chooses its settings with, out-of-fold
            scores of the tuning images (triggers the inner folds).
        needs_training_priors / needs_training_images: the mode uses the training label
            priors / the labelled training images (the CLI then loads the training data).
        uses_unlabeled_images: the mode uses unlabeled target-domain images when given.
        needs_graph: the mode reads a label graph (``AdaptationInputs.graph``; the CLI loads
            ``--graph`` or the run's graph).
        variant_of: the mode is a variant of this one (the same decision-rule step): the two
            are not given together.
    """

    name: ClassVar[str] = ""
    stage: ClassVar[str] = ""
    needs_out_of_fold: ClassVar[bool] = False
    needs_training_priors: ClassVar[bool] = False
    needs_training_images: ClassVar[bool] = False
    uses_unlabeled_images: ClassVar[bool] = False
    needs_graph: ClassVar[bool] = False
    variant_of: ClassVar[str] = ""

    def check(self, inputs: AdaptationInputs) -> None:
        """Raise :class:`InputError` when ``inputs`` lack what this mode needs."""

    def check_graph(self, inputs: AdaptationInputs, source: str) -> None:
        """The one check of every graph-reading mode: ``inputs`` hold a label graph, the
        model's codes, and the graph has the edge ``source`` the mode reads.

        Raises:
            InputError: no graph, no codes, or ``source`` not among ``graph.sources``.
        """
        if inputs.graph is None:
            raise InputError(
                f"--mode {self.name} needs a label graph: pass --graph DIR (a `labelgraph "
                "build` folder); the run was trained without one"
            )
        if inputs.codes is None:
            raise InputError(f"--mode {self.name} needs the model's label codes")
        if source not in inputs.graph.sources:
            raise InputError(
                f"{self.name} source {source!r} is not in the graph; available: "
                f"{', '.join(inputs.graph.sources)}"
            )


class WeightMode(AdaptationMode, ABC):
    """A mode that changes the model's weights."""

    stage: ClassVar[str] = "weights"
    #: the backbone keeps its weights (features of the input model stay valid)
    freezes_backbone: ClassVar[bool] = True

    @abstractmethod
    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
        seed: int,
    ) -> nn.Module:
        """An adapted copy of ``model`` (the input is not modified).

        Args:
            images: tuning images ``[N, 3, H, W]``. targets: ``[N, L]`` float32 0/1.
            inputs: what every fold shares (training bank, priors, unlabeled images).
            seed: seeds every random choice of the fit.
        """


class ScoreMode(AdaptationMode, ABC):
    """A mode that transforms probabilities ``[N, L]``; stored as a decision-rule step.

    The pipeline calls ``fit`` on (a fold of) the tuning images with the adapted model, then
    ``evidence`` on held-out images while the fit is alive, and ``apply`` to transform their
    scores with each candidate setting; the setting with the best out-of-fold F2 is kept.
    """

    stage: ClassVar[str] = "scores"

    @abstractmethod
    def fit(
        self,
        model: nn.Module,
        images: torch.Tensor,
        targets: np.ndarray,
        inputs: AdaptationInputs,
    ) -> Any:
        """What the mode learns from tuning images ``[N, 3, H, W]`` / targets ``[N, L]``
        under the (adapted) ``model``."""

    def settings(self) -> list[dict[str, Any]]:
        """Candidate settings, chosen on out-of-fold scores (default: one, empty)."""
        return [{}]

    def in_sample_setting(self) -> dict[str, Any]:
        """The setting used when no out-of-fold scores exist (default: the first)."""
        return self.settings()[0]

    def evidence(self, fit: Any, query: Query, settings: Sequence[dict[str, Any]]) -> Any:
        """What :meth:`apply` needs about the images of ``query`` under ``settings``
        (default: the fit itself)."""
        return fit

    @abstractmethod
    def apply(self, scores: np.ndarray, evidence: Any, setting: dict[str, Any]) -> np.ndarray:
        """Scores ``[n, L]`` float64 of the rows ``evidence`` describes, after this mode."""

    @abstractmethod
    def step(self, fit: Any, setting: dict[str, Any]) -> ScoreStep:
        """The decision-rule step of ``fit`` with ``setting``."""

    def describe(self, setting: dict[str, Any]) -> str:
        """A stats key naming ``setting`` (``oof_f2_<key>`` holds its out-of-fold F2)."""
        parts = [f"{k}_{v:g}" if isinstance(v, float) else f"{k}_{v}" for k, v in setting.items()]
        return "_".join([self.name.replace("-", "_"), *parts])

    def record(self, setting: dict[str, Any], stats: dict[str, Any]) -> None:  # noqa: B027
        """Add the chosen ``setting`` to the fit statistics (default: nothing)."""


class DecisionMode(AdaptationMode, ABC):
    """A mode that fits the thresholds turning scores into labels."""

    stage: ClassVar[str] = "decision"
    needs_out_of_fold: ClassVar[bool] = True

    @abstractmethod
    def fit(
        self,
        scores: np.ndarray,
        targets: np.ndarray,
        codes: Sequence[str],
        *,
        inner_folds: int,
        seed: int,
        stats: dict[str, Any],
        inputs: AdaptationInputs | None = None,
    ) -> ClassThresholds:
        """Thresholds fitted on (out-of-fold) ``scores [N, L]`` against ``targets [N, L]``;
        fit statistics go into ``stats``; ``inputs``: what every fold shares (the label graph
        of a mode that reads one)."""


#: every adaptation mode, in the order an adaptation applies them (``priority``)
ADAPTATION_MODES: Catalogue[AdaptationMode] = Catalogue("adaptation mode", order="priority")


def register_mode(
    name: str,
    *,
    priority: int,
    config_prefix: str = "",
    shorthand: str | None = None,
    help: str = "",
    tags: Iterable[str] = (),
) -> Callable[[M], M]:
    """Class decorator registering an :class:`AdaptationMode` in :data:`ADAPTATION_MODES`.

    Args:
        name: the ``--mode`` word.
        priority: place in the pipeline (weights 0-9, scores 10-89, decision 90-99 by
            convention; also the order of ``--help``).
        config_prefix: ``AdaptationConfig`` field prefix of the options (``"knn_"``).
        shorthand: the option ``name@value`` sets (``"space"`` for ``knn@both``).
        help: one line for ``--help`` (default: the class docstring's first line).
        tags: catalogue tags besides the stage (``uses_graph`` marks the modes that read the
            label graph; benchmarks tell graph-using pipelines apart by it).
    """

    def deco(cls: M) -> M:
        if getattr(cls, "stage", "") not in STAGES:
            raise TypeError(f"{cls.__name__}.stage must be one of {STAGES}")
        cls.name = name
        ADAPTATION_MODES.add(
            name,
            cls,
            help=help,
            tags={cls.stage, *tags},
            priority=priority,
            config_prefix=config_prefix,
            shorthand=shorthand,
        )
        return cls

    return deco


def candidate_grid(mode: str, noun: str, values: Sequence[float]) -> tuple[float, ...]:
    """``values`` as floats: the candidates a mode chooses among on the tuning folds.

    Args:
        mode: the mode's name; noun: what the values are (``"weight"``, ``"kappa"``), for the
            messages.
    Raises:
        InputError: no candidate, or a negative one.
    """
    if not values:
        raise InputError(f"the {mode} mode needs at least one candidate {noun}")
    if any(v < 0 for v in values):
        raise InputError(f"{mode} {noun}s must be >= 0, got {list(values)}")
    return tuple(float(v) for v in values)


def list_modes() -> list[str]:
    """Names accepted by ``--mode``, in pipeline order."""
    return ADAPTATION_MODES.names()


def parse_mode_specs(text: str | Sequence[str]) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The one mode-list parser: ``"last-layer,knn@both,thresholds"`` ->
    ``(("last-layer", {}), ("knn", {"space": "both"}), ("thresholds", {}))``.

    Words are mode names, optionally ``name@value`` (the mode's shorthand option); the order
    is kept. A repeated mode merges its options.

    Raises:
        InputError: an unknown mode, an ``@`` the mode does not take or an invalid value,
            two modes of a single stage (``head,full``), or no mode at all.
    """
    words = text.split(",") if isinstance(text, str) else list(text)
    specs: dict[str, dict[str, Any]] = {}
    for word in (w.strip() for w in words if w.strip()):
        name, at, value = word.partition("@")
        if name.strip() not in ADAPTATION_MODES:
            raise InputError(
                ADAPTATION_MODES.unknown_message(name.strip())
                + " (comma-separated, e.g. last-layer,thresholds)"
            )
        entry = ADAPTATION_MODES.get(name.strip())
        options: dict[str, Any] = {}
        if at:
            key = entry.attrs.get("shorthand")
            if not key:
                raise InputError(f"adaptation mode {entry.name!r} takes no @ option ({word!r})")
            options = entry.check_options({key: value.strip()})
            entry.create(**options)  # the mode checks the value
        merged = specs.setdefault(entry.name, {})
        for key, val in options.items():
            if key in merged and merged[key] != val:
                raise InputError(
                    f"adaptation mode {entry.name!r} given twice with {key}={merged[key]!r} "
                    f"and {key}={val!r}"
                )
            merged[key] = val
    for name in specs:
        base = ADAPTATION_MODES.get(name).factory.variant_of
        if base and base in specs:
            raise InputError(
                f"adaptation mode {name!r} is a variant of {base!r}; give one of them ({text!r})"
            )
    for stage in _SINGLE:
        names = ADAPTATION_MODES.names(tag=stage)
        if sum(n in specs for n in names) > 1:
            raise InputError(f"at most one of {', '.join(names)} per adaptation, got {text!r}")
    if not specs:
        raise InputError("no adaptation mode given; e.g. --mode thresholds")
    return tuple(specs.items())


def parse_modes(text: str | Sequence[str]) -> tuple[str, ...]:
    """``"last-layer,thresholds"`` -> ``("last-layer", "thresholds")``: the names of
    :func:`parse_mode_specs` (validated)."""
    return tuple(name for name, _ in parse_mode_specs(text))
