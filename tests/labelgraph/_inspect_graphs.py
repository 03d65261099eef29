"""Tiny hand-made LabelGraphs shared by the inspection tests."""

from __future__ import annotations

import numpy as np

from labelgraph.label_graph import LabelGraph

CODES = ["/m/0", "/m/1", "/m/2", "/m/3", "/m/4", "/m/5", "/m/6"]
NAMES = ["Person", "Shopkeeper", "Grocery store", "Horse", "Cat", "Dog", "Unicorn <script>"]


def shop_graph() -> LabelGraph:
    """Shopkeeper-Person-Grocery store triangle, Horse-Dog-Cat, Unicorn isolated."""
    text = ([0, 0, 1, 3, 4, 3], [1, 2, 2, 5, 5, 0], [2.0, 1.0, 1.5, 0.5, 1.0, 0.25])
    emb = ([0, 4], [1, 5], [0.3, 0.9])
    combined = ([0, 0, 1, 3, 4, 3, 4], [1, 2, 2, 5, 5, 0, 0], [2.3, 1.0, 1.5, 0.5, 1.9, 0.25, 0.1])
    rng = np.random.default_rng(0)
    return LabelGraph.from_edges(
        CODES,
        NAMES,
        edges={"text": text, "embedding": emb, "combined": combined},
        embeddings=rng.normal(size=(7, 4)).astype(np.float32),
        missing=np.array([False, False, False, False, False, False, True]),
        frequencies={
            "corpus": np.array([100.0, 5, 10, 50, 30, 20, 0]),
            "annotation": np.array([7.0, 1, 2, 0, 0, 3, 0]),
        },
    )
