"""The catalogue of optimizers (``--optimizer``) and :func:`create_optimizer`.

An optimizer entry is a function ``(param_groups, lr, **options) -> torch.optim.Optimizer``;
``param_groups`` carry their own ``lr`` and ``weight_decay`` (see ``Trainer``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from corpora.catalogue import Catalogue

__all__ = ["OPTIMIZERS", "create_optimizer", "list_optimizers"]

#: every optimizer, by name; an entry's options are its keyword parameters
OPTIMIZERS: Catalogue[torch.optim.Optimizer] = Catalogue("optimizer")


def create_optimizer(
    name: str, param_groups: Iterable[dict[str, Any]], lr: float, **options: Any
) -> torch.optim.Optimizer:
    """Build optimizer ``name`` over ``param_groups`` with default learning rate ``lr``."""
    return OPTIMIZERS.create(name, list(param_groups), lr, **options)


def list_optimizers() -> list[str]:
    """Names accepted by :func:`create_optimizer`."""
    return OPTIMIZERS.names()


@OPTIMIZERS.register("adamw")
def _adamw(param_groups: list[dict[str, Any]], lr: float) -> torch.optim.Optimizer:
    """AdamW (decoupled weight decay)."""
    return torch.optim.AdamW(param_groups, lr=lr)


@OPTIMIZERS.register("sgd")
def _sgd(
    param_groups: list[dict[str, Any]], lr: float, momentum: float = 0.9
) -> torch.optim.Optimizer:
    """SGD with Nesterov momentum."""
    return torch.optim.SGD(param_groups, lr=lr, momentum=momentum, nesterov=True)
