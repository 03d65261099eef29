"""Fixtures for the trainer tests: a micro data set and a small label graph."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from _micro_data import CODES, NAMES, make_micro_data  # noqa: E402


@pytest.fixture(scope="module")
def micro_data(tmp_path_factory) -> Path:
    return make_micro_data(tmp_path_factory.mktemp("micro") / "data")


@pytest.fixture(scope="module")
def micro_graph(tmp_path_factory) -> Path:
    import numpy as np

    from labelgraph import LabelGraph

    g = LabelGraph.from_edges(
        CODES,
        NAMES,
        edges={"combined": ([0, 1], [1, 2], [0.8, 0.3])},
        embeddings=np.array([[1, 0, 0, 1], [0, 1, 0, 1], [0, 0, 0, 0]], dtype=np.float32),
        missing=np.array([False, False, True]),
    )
    return g.save(tmp_path_factory.mktemp("graph") / "g")
