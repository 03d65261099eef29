"""Shared fixtures. Tests are CPU-only, offline and deterministic.

Tests that need the real data in ``../shared/data`` are marked ``realdata`` and request the
``shared_data`` fixture, which skips them with a clear reason when the folder is absent
(a fresh clone of the repository has no ``../shared``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LABELGRAPH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ``../shared/data``; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real data not found at {SHARED_DATA} (a fresh clone has no ../shared/data; "
            "set LABELGRAPH_SHARED_DATA to point at it)"
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def gensim_wiki_dump() -> Path:
    """The real English Wikipedia sample dump that ships inside the gensim wheel (bz2 XML)."""
    from gensim.test.utils import datapath

    return Path(datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"))


@pytest.fixture(autouse=True)
def _seed_everything():
    import random

    import numpy as np

    random.seed(0)
    np.random.seed(0)
    yield
