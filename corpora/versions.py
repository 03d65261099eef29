"""Versions of Python and the installed distributions, recorded in every manifest.

Read from the installed distributions' metadata (``importlib.metadata``), so asking for
``torch`` does not import it.
"""

from __future__ import annotations

import importlib.metadata as md
import platform
from collections.abc import Iterable

__all__ = ["package_versions", "DEFAULT_PACKAGES"]

#: what a manifest records when the caller names nothing else
DEFAULT_PACKAGES = (
    "labelgraph",
    "numpy",
    "scipy",
    "pandas",
    "pillow",
    "gensim",
    "networkx",
    "torch",
    "torchvision",
    "torch_geometric",
)


def package_versions(packages: Iterable[str] = DEFAULT_PACKAGES) -> dict[str, str]:
    """``{"python": "3.11.7", package: version, ...}`` for the installed ones of ``packages``.

    Names may use ``_`` or ``-`` (``torch_geometric``); a package that is not installed is
    left out rather than reported as an error.
    """
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = md.version(name.replace("_", "-"))
        except md.PackageNotFoundError:
            continue
    return out
