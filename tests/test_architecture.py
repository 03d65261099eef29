"""The architecture as a test: the import-linter contracts of ``pyproject.toml``.

* ``layers``: ``vision`` > ``labelgraph`` > ``corpora``; a lower package never imports a
  higher one (imports inside functions count too).
* ``acyclic``: no import cycle between the modules (and subpackages) of any package, at any
  depth (import-linter's ``acyclic_siblings``).

Each check runs ``importlinter.cli.lint_imports`` (what the ``lint-imports`` command runs) in a
subprocess, on this repository and on throwaway package trees that break one contract
(``acyclic_siblings`` needs import-linter >= 2.6, pinned in the ``test`` extra).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter depends on tomli there
    import tomli as tomllib

REPO_ROOT = Path(__file__).resolve().parent.parent

_LINT = (
    "import sys\n"
    "from importlinter.cli import lint_imports\n"
    "sys.exit(lint_imports(config_filename=sys.argv[1], limit_to_contracts=tuple(sys.argv[2:]),"
    " no_cache=True))\n"
)


def lint(root: Path, config: str, *contracts: str) -> subprocess.CompletedProcess[str]:
    """Run the contracts of ``root/config`` (all, or the ``contracts`` ids) on the packages
    under ``root``."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", _LINT, config, *contracts],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _config() -> dict:
    with open(REPO_ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]


def test_layers_contract():
    result = lint(REPO_ROOT, "pyproject.toml", "layers")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_import_cycles():
    result = lint(REPO_ROOT, "pyproject.toml", "acyclic")
    assert result.returncode == 0, result.stdout + result.stderr


def test_contracts_name_the_three_packages():
    config = _config()
    assert config["root_packages"] == ["corpora", "labelgraph", "vision"]
    contracts = {c["id"]: c for c in config["contracts"]}
    assert contracts["layers"]["type"] == "layers"
    assert contracts["layers"]["layers"] == ["vision", "labelgraph", "corpora"]
    assert contracts["acyclic"]["type"] == "acyclic_siblings"
    assert sorted(contracts["acyclic"]["ancestors"]) == ["corpora", "labelgraph", "vision"]


# ---------------------------------------------------------------------- the contracts bite
def _write_ini(path: Path, config: dict) -> None:
    """``config`` (the ``[tool.importlinter]`` table) as an ``.importlinter`` INI file, without
    the repository's ``ignore_imports`` (they name modules the throwaway tree lacks)."""

    def value(v: object) -> str:
        if isinstance(v, list):
            return "".join(f"\n    {item}" for item in v)
        return str(v)

    lines = ["[importlinter]"]
    lines += [f"{k} = {value(v)}" for k, v in config.items() if k != "contracts"]
    for contract in config["contracts"]:
        lines += ["", f"[importlinter:contract:{contract['id']}]"]
        lines += [
            f"{k} = {value(v)}" for k, v in contract.items() if k not in ("id", "ignore_imports")
        ]
    path.write_text("\n".join(lines) + "\n")


CLEAN = {
    "corpora/__init__.py": "",
    "corpora/errors.py": "class InputError(ValueError): ...\n",
    "corpora/reader.py": "from corpora.errors import InputError\n",
    "labelgraph/__init__.py": "",
    "labelgraph/graph.py": "import corpora.reader\n",
    "vision/__init__.py": "",
    "vision/model.py": "from labelgraph import graph\nfrom corpora.errors import InputError\n",
}
BROKEN = {
    "upward import": (
        {"corpora/reader.py": "def f():\n    from vision import model\n"},
        "corpora is not allowed to import vision",
    ),
    "cycle": (
        {
            "labelgraph/registry.py": "import labelgraph.plugin\n",
            "labelgraph/plugin.py": "import labelgraph.registry\n",
        },
        "No cycles are allowed in labelgraph",
    ),
}


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_contracts_pass_on_a_clean_tree(tmp_path):
    _tree(tmp_path, CLEAN)
    _write_ini(tmp_path / ".importlinter", _config())
    result = lint(tmp_path, ".importlinter")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_contracts_fail_on_a_violating_import(tmp_path, case):
    files, message = BROKEN[case]
    _tree(tmp_path, {**CLEAN, **files})
    _write_ini(tmp_path / ".importlinter", _config())
    result = lint(tmp_path, ".importlinter")
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stdout


@pytest.mark.parametrize(
    ("package", "suffix"),
    [
        ("corpora", "_reader"),
        ("labelgraph.edges", ""),
        ("labelgraph.exporters", ""),
        ("labelgraph.evaluation.scorers", ""),
        ("vision.models", ""),
        ("vision.losses", ""),
        ("vision.data", ""),
        ("vision.adapt.modes", ""),
    ],
)
def test_a_plugin_is_one_file(package: str, suffix: str) -> None:
    """Importing a plugin package imports every public module of it (readers: ``*_reader``),
    so a new head, edge builder, reader, label policy or adaptation mode needs no import line."""
    import importlib
    import pkgutil
    import sys

    mod = importlib.import_module(package)
    for info in pkgutil.iter_modules(mod.__path__):
        if info.ispkg or info.name.startswith("_") or not info.name.endswith(suffix):
            continue
        assert f"{package}.{info.name}" in sys.modules, f"{package}.{info.name} not imported"
