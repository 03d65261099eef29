"""The label vocabulary: Open Images label codes (MIDs) and their display names.

A :class:`LabelVocabulary` maps between a label's position ``i`` (row ``i`` of every matrix in
a :class:`~labelgraph.label_graph.LabelGraph`), its code (``/m/01g317``) and its name
(``Person``). Every lookup accepts a code or a name, case-insensitively; an unknown label raises
:class:`~corpora.errors.InputError` naming the closest known names.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from corpora.errors import InputError
from corpora.formats.class_descriptions import HEADER_NAMES, is_label_code, read_label_names
from corpora.formats.classes_trainable import read_classes_trainable

__all__ = ["LabelVocabulary"]

logger = logging.getLogger(__name__)


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise InputError(f"label file {str(path)!r} does not exist; pass an existing CSV")


def _open_text(path: Path):
    _require_file(path)
    return open(path, encoding="utf-8-sig", newline="")


class LabelVocabulary:
    """An ordered list of labels, each with a unique code and a (not necessarily unique) name.

    Args:
        codes: label codes, unique; position ``i`` is the label's index.
        names: display names, same length as ``codes``. Several codes may share a name (Open
            Images has 274 such names); looking a shared name up returns the first code with it
            and logs the alternatives at debug level.
    """

    def __init__(self, codes: Sequence[str], names: Sequence[str] | None = None) -> None:
        codes = [str(c) for c in codes]
        names = list(codes) if names is None else [str(n) for n in names]
        if len(names) != len(codes):
            raise InputError(
                f"label vocabulary: {len(codes)} codes but {len(names)} names; give one name per code"
            )
        self._codes: list[str] = codes
        self._names: list[str] = names
        self._code_index: dict[str, int] = {}
        for i, code in enumerate(codes):
            if code in self._code_index:
                raise InputError(
                    f"label vocabulary: code {code!r} appears twice (positions "
                    f"{self._code_index[code]} and {i}); codes must be unique"
                )
            self._code_index[code] = i
        self._lower_code_index: dict[str, int] = {}
        for i, code in enumerate(codes):
            self._lower_code_index.setdefault(code.lower(), i)
        self._name_index: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            self._name_index.setdefault(name.strip().lower(), []).append(i)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_csv(
        cls,
        path: str | os.PathLike[str],
        trainable: str | os.PathLike[str] | None = None,
    ) -> LabelVocabulary:
        """Read a ``class-descriptions.csv`` (:mod:`corpora.formats.class_descriptions`),
        optionally keep only the codes listed in a ``classes-trainable.csv``
        (:mod:`corpora.formats.classes_trainable`), in the order of the class-descriptions
        file."""
        path = Path(path)
        codes, names = read_label_names(path)
        vocab = cls(codes, names)
        if trainable is not None:
            keep = read_classes_trainable(trainable)
            unknown = [c for c in keep if c not in vocab._code_index]
            if unknown:
                raise InputError(
                    f"{trainable}: {len(unknown)} codes are not in {path} (first: {unknown[:3]}); "
                    "pass the class-descriptions file these trainable classes come from"
                )
            keep_set = set(keep)
            idx = [i for i, c in enumerate(codes) if c in keep_set]
            vocab = cls([codes[i] for i in idx], [names[i] for i in idx])
        logger.info("label vocabulary: %d labels from %s", len(vocab), path)
        return vocab

    @classmethod
    def from_file(
        cls,
        path: str | os.PathLike[str],
        trainable: str | os.PathLike[str] | None = None,
    ) -> LabelVocabulary:
        """:meth:`from_csv`, or a plain list of names (one per line, no comma in the first
        line; codes = names) such as ``labels.txt``."""
        path = Path(path)
        with _open_text(path) as fh:
            first = next((line for line in fh if line.strip()), "")
        if "," in first or first.strip().lower() in HEADER_NAMES:
            return cls.from_csv(path, trainable)
        with _open_text(path) as fh:
            names = list(dict.fromkeys(line.strip() for line in fh if line.strip()))
        coded = sum(is_label_code(n) for n in names)
        if names and 2 * coded > len(names):
            raise InputError(
                f"{path}: holds label codes, one per line ({names[0]!r}), not names; pass a "
                "class-descriptions.csv (label_code,description) as the labels, and a list of "
                "codes as the trainable classes"
            )
        if trainable is not None:
            keep = set(read_classes_trainable(trainable))
            names = [n for n in names if n in keep]
        logger.info("label vocabulary: %d names from %s", len(names), path)
        return cls.from_names(names)

    @classmethod
    def from_names(
        cls, names: Iterable[str], codes: Iterable[str] | None = None
    ) -> LabelVocabulary:
        """A vocabulary from plain names (codes default to the names themselves)."""
        names = [str(n) for n in names]
        return cls(list(codes) if codes is not None else names, names)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelVocabulary:
        return cls(data["codes"], data["names"])

    def to_dict(self) -> dict[str, Any]:
        return {"codes": list(self._codes), "names": list(self._names)}

    # ------------------------------------------------------------------ access
    @property
    def codes(self) -> list[str]:
        return list(self._codes)

    @property
    def names(self) -> list[str]:
        return list(self._names)

    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __contains__(self, label: object) -> bool:
        return isinstance(label, str) and self._lookup(label) is not None

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, LabelVocabulary)
            and self._codes == other._codes
            and self._names == other._names
        )

    def __repr__(self) -> str:
        return f"LabelVocabulary({len(self)} labels)"

    def _lookup(self, label: str) -> int | None:
        i = self._code_index.get(label)
        if i is not None:
            return i
        key = label.strip().lower()
        hits = self._name_index.get(key)
        if hits:
            if len(hits) > 1:
                logger.debug(
                    "label %r names %d codes %s; using the first, %s",
                    label,
                    len(hits),
                    [self._codes[h] for h in hits],
                    self._codes[hits[0]],
                )
            return hits[0]
        return self._lower_code_index.get(key)

    def suggestions(self, label: str, n: int = 5) -> list[str]:
        """The ``n`` known names closest to ``label`` (difflib ratio), best first."""
        key = label.strip().lower()
        close = difflib.get_close_matches(key, list(self._name_index), n=n, cutoff=0.6)
        if len(close) < n:
            contains = [k for k in self._name_index if key and key in k and k not in close]
            close += sorted(contains, key=len)[: n - len(close)]
        return [self._names[self._name_index[k][0]] for k in close]

    def index(self, label: str | int) -> int:
        """Position of ``label`` (code or name, case-insensitive; an int is range-checked)."""
        if isinstance(label, (int,)) and not isinstance(label, bool):
            if 0 <= label < len(self):
                return int(label)
            raise InputError(f"label index {label} is out of range [0, {len(self)})")
        i = self._lookup(str(label))
        if i is None:
            close = self.suggestions(str(label))
            hint = (
                f"closest names: {', '.join(repr(c) for c in close)}"
                if close
                else "check the spelling, or list the vocabulary's names"
            )
            raise InputError(
                f"unknown label {label!r} (not a code or name in this vocabulary); {hint}"
            )
        return i

    def indices(self, labels: Iterable[str | int]) -> list[int]:
        return [self.index(label) for label in labels]

    def code(self, label: str | int) -> str:
        return self._codes[self.index(label)]

    def name(self, label: str | int) -> str:
        return self._names[self.index(label)]

    def codes_named(self, name: str) -> list[str]:
        """Every code whose name equals ``name`` (case-insensitive)."""
        return [self._codes[i] for i in self._name_index.get(name.strip().lower(), [])]

    def subset(self, indices: Sequence[int]) -> LabelVocabulary:
        return LabelVocabulary([self._codes[i] for i in indices], [self._names[i] for i in indices])

    def digest(self) -> str:
        """Stable SHA-256 of the codes and names (hex, 16 characters)."""
        h = hashlib.sha256()
        for code, name in zip(self._codes, self._names):
            h.update(code.encode("utf-8") + b"\t" + name.encode("utf-8") + b"\n")
        return h.hexdigest()[:16]
