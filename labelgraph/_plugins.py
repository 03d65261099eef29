"""Import every module of a plugin package, so that its entries register themselves.

A plugin package (``labelgraph.edges``, ``labelgraph.exporters``,
``labelgraph.evaluation.scorers``) calls :func:`import_plugins` from its ``__init__``; a new
plugin is then one new file in the package and nothing else. Modules whose name starts with
``_`` are plumbing and are not imported.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable

__all__ = ["import_plugins"]


def import_plugins(package: str, path: Iterable[str]) -> list[str]:
    """Import the public modules of ``package`` (its ``__name__`` and ``__path__``) in name
    order; returns their full names."""
    names = sorted(m.name for m in pkgutil.iter_modules(list(path)) if not m.name.startswith("_"))
    return [importlib.import_module(f"{package}.{name}").__name__ for name in names]
