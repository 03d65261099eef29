"""The labelgraph catalogues: edge builders, export formats, pair scorers (one wording for
unknown names, options read from the factories, build parameters -> builder options)."""

from __future__ import annotations

import numpy as np
import pytest

from corpora.errors import InputError
from labelgraph.annotations import count_label_sets
from labelgraph.build_config import BuildConfig, edge_builder_spec
from labelgraph.edge_builders import EDGE_BUILDERS, create_edge_builder, list_edge_builders
from labelgraph.evaluation.pair_scorers import create_pair_scorer, list_pair_scorers
from labelgraph.export import EXPORTERS, create_exporter, list_export_formats


def test_plugins_register_when_the_package_is_imported():
    assert list_edge_builders() == ["conditional", "joint", "mlgcn", "npmi", "ppmi"]
    assert list_export_formats() == ["csv", "gexf", "graphml", "html", "json"]
    assert list_pair_scorers() == sorted(
        [
            "combined graph",
            "combined joint",
            "embedding cosine",
            "frequency product",
            "text NPMI",
            "text PPMI",
            "text edges",
            "text joint",
        ]
    )


def test_unknown_names_have_one_wording():
    with pytest.raises(InputError, match=r"unknown edge builder 'pmi'; choose one of: conditional"):
        create_edge_builder("pmi")
    with pytest.raises(InputError, match=r"unknown export format 'dot'; choose one of: csv"):
        create_exporter("dot")
    with pytest.raises(InputError, match=r"unknown pair scorer 'x'; choose one of: combined graph"):
        create_pair_scorer("x")


def test_options_come_from_the_factories():
    assert EDGE_BUILDERS.get("ppmi").defaults() == {
        "alpha": 0.75,
        "min_count": 1,
        "shrinkage": 1.0,
        "confidence": 0.0,
    }
    assert EDGE_BUILDERS.get("mlgcn").defaults() == {"tau": 0.4, "p": 0.2}
    assert [o.name for o in EXPORTERS.options("html")] == ["title", "seed"]
    assert [o.name for o in EXPORTERS.options("gexf")] == ["seed"]
    with pytest.raises(InputError, match="edge builder 'npmi' has no option 'alpha'"):
        create_edge_builder("npmi", alpha=0.5)
    counts = count_label_sets([[0, 1], [0, 1], [1, 2]], 3)
    m = create_edge_builder("conditional", min_count="2")(counts, "image")  # converted to int
    assert m.shape == (3, 3) and m[0, 1] > 0 and m[1, 2] == 0


def test_edge_builder_spec_maps_build_parameters_to_builder_options():
    params = BuildConfig(corpus=[], labels="l.csv", out="o").to_dict()
    assert edge_builder_spec(params, "text") == (
        "ppmi",
        {"alpha": 0.75, "min_count": 2, "shrinkage": 1.0, "confidence": 0.0},
    )
    assert edge_builder_spec({**params, "annotation_edges": "mlgcn", "tau": 0.5}, "annotation") == (
        "mlgcn",
        {"tau": 0.5, "p": 0.2},
    )
    assert edge_builder_spec({"annotation_edges": "npmi"}, "annotation") == (
        "npmi",
        {"min_count": 1},
    )
    # explicit options in the specification win over the build fields
    name, opts = edge_builder_spec({**params, "text_edges": "ppmi:alpha=0.5,min_count=3"}, "text")
    assert name == "ppmi" and opts["alpha"] == 0.5 and opts["min_count"] == 3
    with pytest.raises(InputError, match="unknown edge builder 'nope'"):
        edge_builder_spec({"text_edges": "nope"}, "text")


def test_subgraph_and_restrict_keep_the_graph_class():
    from labelgraph import LabelGraph

    g = LabelGraph.from_edges(["a", "b", "c"], None, {"combined": ([0, 1], [1, 2], [1.0, 2.0])})
    sub = g.subgraph("b", hops=1)
    assert isinstance(sub, LabelGraph) and sub.labels == ["b", "c", "a"]
    assert sub.manifest["subgraph_of"] == g.digest()
    np.testing.assert_array_equal(g.restrict([2, 0]).adjacency().toarray(), np.zeros((2, 2)))
