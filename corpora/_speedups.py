"""Which implementation of the text pipeline runs: the compiled one or the pure-Python one.

``corpora._ctext`` (``corpora/_ctext.c``, built by ``pip install -e .`` when a C compiler is
at hand) is a port of :func:`~corpora.wikitext_cleaner.clean_wikitext` (with the XML
unescaping of a dump page) and of :meth:`~corpora.Tokenizer.sentences`, with the same output:
the Python code stays the reference, and tests compare both on hand-made and real input. For
what the port does not handle exactly (template parameters ``{{{1}}}``, lone surrogates, a
character that the regex module's case-insensitive matching equates with an ASCII letter
inside a tag name, characters beyond the BMP in a sentence), the compiled functions hand the
page or the sentence back to the Python code.

The cleaner and the tokenizer hand their tables to the compiled module when they are
imported (``configure_cleaner``, ``configure_tokenizer``), so both read the same rules.

Selection: the compiled part is used when it can be imported and matches this source
(:data:`ABI`); ``CORPORA_PURE_PYTHON=1`` in the environment (read at import, inherited by
worker processes) or :func:`set_backend` selects the Python code. :func:`backend` tells which
one runs.
"""

from __future__ import annotations

import logging
import os
from types import ModuleType

__all__ = ["ABI", "ENV_PURE_PYTHON", "backend", "compiled", "load_error", "set_backend"]

logger = logging.getLogger(__name__)

#: The version of the compiled module's interface that this source expects.
ABI = 1
#: Environment variable that selects the pure-Python code when set to a non-empty value
#: other than ``0``.
ENV_PURE_PYTHON = "CORPORA_PURE_PYTHON"

_loaded: ModuleType | None = None
_load_error = ""
#: The compiled module in use, or ``None`` (the Python code runs). Read by the cleaner and the
#: tokenizer at every call.
active: ModuleType | None = None


def _load() -> ModuleType | None:
    global _load_error
    try:
        from corpora import _ctext
    except ImportError as exc:
        _load_error = f"not built ({exc})"
        return None
    if getattr(_ctext, "ABI", None) != ABI:
        _load_error = (
            f"built from another version of corpora/_ctext.c (ABI {getattr(_ctext, 'ABI', '?')}, "
            f"expected {ABI}); rebuild it with `pip install -e .`"
        )
        return None
    return _ctext


def compiled() -> ModuleType | None:
    """The compiled module when it is built and current (loaded once), else ``None``."""
    global _loaded
    if _loaded is None and not _load_error:
        _loaded = _load()
        if _loaded is None:
            logger.debug("corpora: compiled text pipeline unavailable: %s", _load_error)
    return _loaded


def set_backend(name: str) -> str:
    """Select ``"compiled"``, ``"python"`` or ``"auto"`` (compiled when available); returns
    the backend now in use. ``"compiled"`` raises :class:`RuntimeError` when it is not built."""
    global active
    if name == "python":
        active = None
    elif name in ("compiled", "auto"):
        active = compiled()
        if active is None and name == "compiled":
            raise RuntimeError(f"corpora's compiled text pipeline is unavailable: {_load_error}")
    else:
        raise ValueError(f"unknown backend {name!r}: expected compiled, python or auto")
    return backend()


def load_error() -> str:
    """Why the compiled module is not used (``""`` when it is loaded or not yet tried)."""
    return _load_error


def backend() -> str:
    """``"compiled"`` or ``"python"``: the implementation the cleaner and tokenizer use now."""
    return "python" if active is None else "compiled"


def _from_environment() -> None:
    pure = os.environ.get(ENV_PURE_PYTHON, "")
    set_backend("python" if pure and pure != "0" else "auto")


_from_environment()
