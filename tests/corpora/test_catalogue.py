"""The component catalogue shared by every pluggable kind."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from corpora.catalogue import MISSING, Catalogue, Option
from corpora.errors import InputError


def _heads() -> Catalogue:
    cat: Catalogue = Catalogue("head")

    @cat.register("rerank", tags={"graph"}, aliases=("reranker",))
    class Rerank:
        """GNN re-ranker."""

        def __init__(self, num_features: int, graph: object, *, hidden: int = 16, layers=1):
            self.args = (num_features, graph, hidden, layers)

    @cat.register("linear", help="a linear classifier")
    def linear(num_features: int, dropout: float = 0.0) -> tuple:
        return ("linear", num_features, dropout)

    @dataclass
    class GcnOptions:
        hidden: list[int] = field(default_factory=lambda: [256], metadata={"help": "widths"})
        mode: str = field(default="a", metadata={"choices": ("a", "b")})

    @cat.register("gcn", options=GcnOptions, tags={"graph"})
    def gcn(num_features: int, hidden=(256,), mode="a") -> tuple:
        return ("gcn", num_features, list(hidden), mode)

    return cat


def test_create_checks_and_converts_options() -> None:
    cat = _heads()
    obj = cat.create("rerank", 8, None, hidden="32")
    assert obj.args == (8, None, 32, 1)
    assert cat.create("gcn", 4, hidden="64,32") == ("gcn", 4, [64, 32], "a")
    assert cat.create("linear", 3, dropout="0.5") == ("linear", 3, 0.5)
    with pytest.raises(InputError, match=r"head 'rerank' has no option 'hiden'.*did you mean"):
        cat.create("rerank", 8, None, hiden=3)
    with pytest.raises(InputError, match=r"option 'hidden': expected an integer, got 'x'"):
        cat.create("rerank", 8, None, hidden="x")


def test_unknown_name_has_one_wording_with_suggestion() -> None:
    cat = _heads()
    with pytest.raises(InputError, match=r"unknown head 'rerenk'; choose one of: gcn, linear, "):
        cat.get("rerenk")
    with pytest.raises(InputError, match=r"did you mean 'rerank'"):
        cat.create("rerenk", 1, None)


def test_names_tags_aliases_and_order() -> None:
    cat = _heads()
    assert cat.names() == ["gcn", "linear", "rerank"]
    assert cat.names(tag="graph") == ["gcn", "rerank"]
    assert "reranker" in cat and cat.canonical("reranker") == "rerank"
    assert cat.has_tag("reranker", "graph") and not cat.has_tag("linear", "graph")
    reg: Catalogue = Catalogue("vote", order="registration")
    reg.add("zeta", lambda: 1)
    reg.add("alpha", lambda: 2)
    assert reg.names() == ["zeta", "alpha"]
    pri: Catalogue = Catalogue("corpus format", order="priority")
    pri.add("plain", object, priority=900)
    pri.add("xml", object, priority=10)
    assert pri.names() == ["xml", "plain"]
    with pytest.raises(ValueError, match="registered twice"):
        cat.add("reranker", object)


def test_options_from_signature_and_dataclass() -> None:
    cat = _heads()
    opts = {o.name: o for o in cat.options("rerank")}
    assert set(opts) == {"hidden", "layers"}  # num_features/graph are inputs, not options
    assert opts["hidden"].default == 16 and opts["hidden"].type is int
    gcn = {o.name: o for o in cat.options("gcn")}
    assert gcn["hidden"].default == [256] and gcn["hidden"].help == "widths"
    assert gcn["mode"].choices == ("a", "b")
    assert cat.get("linear").help == "a linear classifier"
    assert cat.get("rerank").help == "GNN re-ranker."
    assert Option("x").required and Option("x").default is MISSING
    assert "rerank (also reranker): GNN re-ranker. [hidden=16, layers=1]" in cat.describe()


def test_parse_specs() -> None:
    cat = _heads()
    assert cat.parse("linear") == ("linear", {})
    assert cat.parse("rerank:hidden=32,layers=2") == ("rerank", {"hidden": 32, "layers": 2})
    assert cat.parse({"name": "reranker", "options": {"hidden": 8}}) == ("rerank", {"hidden": 8})
    with pytest.raises(InputError, match="key=value"):
        cat.parse("rerank:hidden")
    with pytest.raises(InputError, match="name: ..., options"):
        cat.parse({"head": "rerank"})
    with pytest.raises(InputError, match="has no option 'depth'"):
        cat.parse({"name": "rerank", "options": {"depth": 2}})


def test_bool_and_optional_conversion() -> None:
    cat: Catalogue = Catalogue("thing")

    @cat.register("t")
    def t(flag: bool = False, weight: float | None = None) -> tuple:
        return flag, weight

    assert cat.create("t", flag="yes", weight="none") == (True, None)
    assert cat.create("t", flag=False, weight="0.25") == (False, 0.25)
    with pytest.raises(InputError, match="expected true or false"):
        cat.create("t", flag="maybe")


def test_import_plugins_imports_public_modules_with_the_suffix(tmp_path, monkeypatch):
    """A new plugin is one new file: the package's ``import_plugins`` call finds it."""
    import importlib
    import sys

    from corpora.catalogue import import_plugins

    pkg = tmp_path / "toyplugins"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "alpha_reader.py").write_text("LOADED = True\n")
    (pkg / "beta_reader.py").write_text("LOADED = True\n")
    (pkg / "helpers.py").write_text("raise RuntimeError('not a plugin: must not be imported')\n")
    (pkg / "_private_reader.py").write_text("raise RuntimeError('plumbing')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("toyplugins")
    try:
        names = import_plugins("toyplugins", mod.__path__, suffix="_reader")
        assert names == ["toyplugins.alpha_reader", "toyplugins.beta_reader"]
        with pytest.raises(RuntimeError, match="not a plugin"):
            import_plugins("toyplugins", mod.__path__)
    finally:
        for name in [n for n in sys.modules if n.startswith("toyplugins")]:
            del sys.modules[name]
