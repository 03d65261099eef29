"""Command-line flags made from catalogue entries (private plumbing of the ``vision`` CLI).

* :func:`spec_type`: the argparse ``type`` of a component flag (``--head NAME:KEY=VALUE``);
* :func:`option_flag` / :func:`option_flag_kwargs`: one flag per option of an entry
  (``--rerank-hidden N``), typed from the option's annotation;
* :func:`documented`: an option's help, read from the entry's docstring ``Args:`` section.

Errors of the catalogue (:class:`~corpora.errors.InputError`) become argparse errors with the
same message.
"""

from __future__ import annotations

import argparse
import inspect
import re
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from corpora.catalogue import Catalogue, Option
from corpora.errors import InputError

__all__ = ["spec_type", "option_flag", "option_flag_kwargs", "documented"]


def option_flag(component: str, option: str) -> str:
    """The flag of option ``option`` of catalogue entry ``component``:
    ``--{component}-{option}``, kebab-case (``--gcn-hidden``, ``--rerank-layers``)."""
    return f"--{component}-{option}".replace("_", "-")


def _type_error(fn: Callable[[str], Any], name: str) -> Callable[[str], Any]:
    """``fn`` with :class:`InputError` turned into argparse's error (message kept)."""

    def convert(text: str) -> Any:
        try:
            return fn(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = name
    return convert


def spec_type(catalogue: Catalogue[Any]) -> Callable[[str], Any]:
    """argparse type of a component flag: ``NAME`` or ``NAME:KEY=VALUE,...``, checked against
    ``catalogue`` and kept as written (the command splits it with ``catalogue.parse``)."""

    def check(text: str) -> str:
        catalogue.parse(text)
        return text

    return _type_error(check, catalogue.kind)


def option_flag_kwargs(option: Option) -> dict[str, Any]:
    """argparse keywords (``type``, ``nargs``, ``metavar``) for a catalogue option."""
    kind = option.type
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(kind) if a is not type(None)]
        kind = inner[0] if len(inner) == 1 else kind
    origin = typing.get_origin(kind)
    if kind in (list, tuple) or origin in (list, tuple, Sequence):
        args = [a for a in typing.get_args(kind) if a is not Ellipsis]
        item = Option(option.name, type=args[0] if args else None)
        return {
            "nargs": "+",
            "type": _type_error(item.convert, option.name),
            "metavar": _METAVARS.get(item.type, "V"),
        }
    metavar = _METAVARS.get(kind, "V")
    return {"type": _type_error(option.convert, option.name), "metavar": metavar}


_METAVARS = {bool: "{true,false}", int: "N", float: "X"}


def documented(factory: Any, name: str) -> str:
    """The description of parameter ``name`` in ``factory``'s docstring ``Args:`` section
    (Google style, one entry per parameter), on one line; '' when there is none."""
    _, _, section = (inspect.getdoc(factory) or "").partition("Args:\n")
    lines = section.splitlines()
    for i, line in enumerate(lines):
        found = re.match(rf"(\s+){re.escape(name)}: (.*)", line)
        if not found:
            continue
        indent, text = len(found.group(1)), [found.group(2)]
        for more in lines[i + 1 :]:
            if not more.strip() or len(more) - len(more.lstrip()) <= indent:
                break
            text.append(more.strip())
        return " ".join(text).replace("``", "")
    return ""
