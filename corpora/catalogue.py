"""One component catalogue for every pluggable kind of the package.

Corpus readers, edge builders, exporters, pair scorers, label policies, transforms, TTA, votes,
backbones, heads, losses and adaptation modes are each a :class:`Catalogue`: a name -> entry
table in the spirit of timm's model registry. An entry is a factory (a class or a function)
plus what it accepts: its **options** (name, default, type, help), aliases, free-form tags
(``{"graph"}`` for the heads that need a label graph) and attributes (a reader's sniffing
``priority``).

Plugins register themselves where they are defined; the module that owns a catalogue never
imports its plugins (the package's ``__init__`` does), so no import cycle arises::

    # vision/models/head.py
    HEADS: Catalogue[Head] = Catalogue("head")

    # vision/models/rerank_head.py
    @HEADS.register("rerank", tags={"graph"}, help="GNN re-ranker over the label graph")
    class RerankHead(Head):
        def __init__(self, num_features, num_labels, graph, *, hidden: int = 16, ...): ...

    HEADS.create("rerank", 512, 429, graph, hidden=32)     # options are checked by name
    HEADS.names()                                          # ["gcn", "linear", "rerank"]
    HEADS.parse({"name": "rerank", "options": {"hidden": 32}})   # ("rerank", {"hidden": 32})

Options are the factory's keyword parameters that have a default (or the fields of an explicit
``options=`` dataclass); positional inputs without a default (``num_features``) are inputs,
not options. Unknown names and unknown options raise :class:`~corpora.errors.InputError` with
one wording everywhere: ``unknown head 'x'; choose one of: gcn, linear, rerank``.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
import pkgutil
import typing
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from corpora.errors import InputError

__all__ = ["Catalogue", "Entry", "Option", "MISSING", "import_plugins"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: default of an option that has none (a required option)
MISSING: Any = _Missing()


@dataclass(frozen=True)
class Option:
    """One option of a catalogue entry.

    Attributes:
        name: keyword argument name (snake_case).
        default: its default (:data:`MISSING` when required).
        type: the annotation (``int``, ``float``, ``list[int]``, ``str | None``...) or None.
        help: one line for ``--help``.
        choices: allowed values, when the option is an enumeration.
    """

    name: str
    default: Any = MISSING
    type: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None

    @property
    def required(self) -> bool:
        return self.default is MISSING

    def convert(self, value: Any) -> Any:
        """``value`` (possibly a command-line string) converted to the option's type.

        Strings become ``int``/``float``/``bool`` when the annotation says so; lists accept a
        comma- or space-separated string. Other values pass through unchanged.
        """
        return _convert(value, self.type, f"option {self.name!r}")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered component: its factory and what it accepts."""

    kind: str
    name: str
    factory: Callable[..., T]
    options: tuple[Option, ...] = ()
    help: str = ""
    aliases: tuple[str, ...] = ()
    tags: frozenset[str] = frozenset()
    attrs: Mapping[str, Any] = field(default_factory=dict)
    order: int = 0

    def option(self, name: str) -> Option:
        for opt in self.options:
            if opt.name == name:
                return opt
        known = ", ".join(o.name for o in self.options) or "none"
        raise InputError(
            f"{self.kind} {self.name!r} has no option {name!r}; its options: {known}"
            + _suggest(name, [o.name for o in self.options])
        )

    def defaults(self) -> dict[str, Any]:
        """Option name -> default, for the options that have one."""
        return {o.name: o.default for o in self.options if not o.required}

    def check_options(self, options: Mapping[str, Any]) -> dict[str, Any]:
        """``options`` with every key checked against :attr:`options` and values converted."""
        return {key: self.option(key).convert(value) for key, value in options.items()}

    def create(self, *args: Any, **options: Any) -> T:
        """Call the factory with inputs ``args`` and the (checked) ``options``."""
        return self.factory(*args, **self.check_options(options))


class Catalogue(Generic[T]):
    """Name -> :class:`Entry` table of one pluggable kind.

    Args:
        kind: singular noun used in messages ("head", "corpus format", "label policy").
        order: ``"sorted"`` (default) lists names alphabetically; ``"registration"`` keeps the
            order of registration; ``"priority"`` sorts by the entries' ``priority`` attribute
            (default 100), then by registration.
    """

    def __init__(self, kind: str, *, order: str = "sorted") -> None:
        if order not in ("sorted", "registration", "priority"):
            raise ValueError(f"order must be sorted, registration or priority, not {order!r}")
        self.kind = kind
        self._order = order
        self._entries: dict[str, Entry[T]] = {}
        self._aliases: dict[str, str] = {}

    # ------------------------------------------------------------------ registration
    def register(
        self,
        name: str,
        *,
        options: type | Sequence[Option] | None = None,
        help: str = "",
        aliases: Iterable[str] = (),
        tags: Iterable[str] = (),
        **attrs: Any,
    ) -> Callable[[F], F]:
        """Decorator registering a factory (class or function) under ``name``.

        Args:
            name: the public name (unique in this catalogue, aliases included).
            options: a dataclass whose fields are the options (help in
                ``field(metadata={"help": ...})``), or a list of :class:`Option`; default: the
                factory's keyword parameters that have a default.
            help: one line describing the entry (default: first line of its docstring).
            aliases: other accepted names (old spellings).
            tags: free-form labels queried by :meth:`names` (``tag=``) and :meth:`has_tag`.
            attrs: further attributes (``priority=10``), readable as ``entry.attrs``.
        """

        def deco(factory: F) -> F:
            self.add(
                name,
                factory,
                options=options,
                help=help,
                aliases=aliases,
                tags=tags,
                **attrs,
            )
            return factory

        return deco

    def add(
        self,
        name: str,
        factory: Callable[..., T],
        *,
        options: type | Sequence[Option] | None = None,
        help: str = "",
        aliases: Iterable[str] = (),
        tags: Iterable[str] = (),
        **attrs: Any,
    ) -> Entry[T]:
        """Register ``factory`` under ``name`` (the non-decorator form of :meth:`register`)."""
        aliases = tuple(aliases)
        for word in (name, *aliases):
            if word in self._entries or word in self._aliases:
                raise ValueError(f"{self.kind} {word!r} is registered twice")
        opts = _options_of(factory, options)
        entry: Entry[T] = Entry(
            kind=self.kind,
            name=name,
            factory=factory,
            options=opts,
            help=help or _first_doc_line(factory),
            aliases=aliases,
            tags=frozenset(tags),
            attrs=dict(attrs),
            order=len(self._entries),
        )
        self._entries[name] = entry
        for alias in aliases:
            self._aliases[alias] = name
        return entry

    # ------------------------------------------------------------------ lookup
    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._aliases

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def names(self, tag: str | None = None) -> list[str]:
        """Registered names (aliases excluded) in the catalogue's order, optionally only
        those carrying ``tag``."""
        entries = [e for e in self._entries.values() if tag is None or tag in e.tags]
        if self._order == "sorted":
            entries.sort(key=lambda e: e.name)
        elif self._order == "priority":
            entries.sort(key=lambda e: (e.attrs.get("priority", 100), e.order))
        return [e.name for e in entries]

    def entries(self, tag: str | None = None) -> list[Entry[T]]:
        """The entries in :meth:`names` order."""
        return [self._entries[n] for n in self.names(tag)]

    def get(self, name: str) -> Entry[T]:
        """The entry registered as ``name`` (or an alias of it).

        Raises:
            InputError: ``unknown KIND 'name'; choose one of: a, b, c`` (with a close match
                suggested when there is one).
        """
        key = self._aliases.get(name, name)
        try:
            return self._entries[key]
        except (KeyError, TypeError):
            raise InputError(self.unknown_message(name)) from None

    def unknown_message(self, name: object) -> str:
        """The one wording of an unknown name, for callers that validate lists of names."""
        names = self.names()
        return f"unknown {self.kind} {name!r}; choose one of: {', '.join(names)}" + _suggest(
            str(name), names + list(self._aliases)
        )

    def canonical(self, name: str) -> str:
        """The registered name behind ``name`` (resolves aliases; checks it exists)."""
        return self.get(name).name

    def has_tag(self, name: str, tag: str) -> bool:
        """Whether entry ``name`` carries ``tag``."""
        return tag in self.get(name).tags

    def options(self, name: str) -> tuple[Option, ...]:
        """The options entry ``name`` accepts."""
        return self.get(name).options

    # ------------------------------------------------------------------ building
    def create(self, name: str, *args: Any, **options: Any) -> T:
        """Build entry ``name``: ``factory(*args, **options)`` with options checked by name."""
        return self.get(name).create(*args, **options)

    def parse(self, spec: str | Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """A component specification -> ``(name, options)``, validated.

        Accepts ``"name"``, ``"name:key=value,key=value"`` and the YAML/JSON mapping
        ``{"name": ..., "options": {...}}``.
        """
        if isinstance(spec, Mapping):
            extra = set(spec) - {"name", "options"}
            if "name" not in spec or extra:
                raise InputError(
                    f"a {self.kind} is given as {{name: ..., options: {{...}}}}; got keys "
                    f"{sorted(map(str, spec))}"
                )
            name, raw = str(spec["name"]), spec.get("options") or {}
            if not isinstance(raw, Mapping):
                raise InputError(f"{self.kind} {name!r}: options must be a mapping, got {raw!r}")
        elif isinstance(spec, str):
            name, _, rest = spec.partition(":")
            raw = {}
            for part in filter(None, (p.strip() for p in rest.split(","))):
                key, eq, value = part.partition("=")
                if not eq:
                    raise InputError(
                        f"{self.kind} {spec!r}: options are written key=value, got {part!r}"
                    )
                raw[key.strip().replace("-", "_")] = value.strip()
            name = name.strip()
        else:
            raise InputError(f"a {self.kind} is a name or a mapping, not {spec!r}")
        entry = self.get(name)
        return entry.name, entry.check_options(dict(raw))

    def describe(self) -> str:
        """One line per entry (name, aliases, options with defaults, help), for ``--help``."""
        lines = []
        for e in self.entries():
            opts = ", ".join(
                f"{o.name}={'<required>' if o.required else repr(o.default)}" for o in e.options
            )
            alias = f" (also {', '.join(e.aliases)})" if e.aliases else ""
            lines.append(f"{e.name}{alias}: {e.help}" + (f" [{opts}]" if opts else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Catalogue({self.kind!r}, {self.names()})"


# ---------------------------------------------------------------------- helpers
def _suggest(name: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _first_doc_line(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def _options_of(factory: Callable[..., Any], spec: type | Sequence[Option] | None) -> tuple:
    if spec is None:
        return _signature_options(factory)
    if isinstance(spec, type) and dataclasses.is_dataclass(spec):
        hints = _hints(spec)
        out = []
        for f in dataclasses.fields(spec):
            if f.default is not dataclasses.MISSING:
                default = f.default
            elif f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            else:
                default = MISSING
            out.append(
                Option(
                    f.name,
                    default,
                    hints.get(f.name, f.type),
                    str(f.metadata.get("help", "")),
                    tuple(f.metadata["choices"]) if "choices" in f.metadata else None,
                )
            )
        return tuple(out)
    return tuple(spec)  # a sequence of Option


def _signature_options(factory: Callable[..., Any]) -> tuple[Option, ...]:
    target = factory.__init__ if inspect.isclass(factory) else factory
    try:
        sig = inspect.signature(target)
    except (TypeError, ValueError):
        return ()
    hints = _hints(target)
    out = []
    for p in sig.parameters.values():
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is p.empty:
            if p.kind == p.KEYWORD_ONLY:
                out.append(Option(p.name, MISSING, hints.get(p.name)))
            continue  # a positional input, not an option
        out.append(Option(p.name, p.default, hints.get(p.name) or _type_of(p.default)))
    return tuple(out)


def _type_of(default: Any) -> Any:
    """The type an unannotated option's default implies (scalars only)."""
    return type(default) if isinstance(default, (bool, int, float, str)) else None


def _hints(obj: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(obj)
    except Exception:  # unresolvable forward references: keep the raw annotations
        return dict(getattr(obj, "__annotations__", {}) or {})


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(value: Any, annotation: Any, what: str) -> Any:
    if annotation is None or annotation is Any:
        return value
    if isinstance(annotation, str):  # unresolved annotation: leave the value alone
        return value
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        if value is None or (isinstance(value, str) and value.lower() == "none"):
            if type(None) in args:
                return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, what)
            except InputError as exc:
                errors.append(str(exc))
        if errors:
            raise InputError(errors[0])
        return value
    if origin in (list, tuple, Sequence, typing.Sequence) or annotation in (list, tuple):
        inner = args[0] if args else None
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        if not isinstance(value, (list, tuple)):
            value = [value]
        items = [_convert(v, inner, what) for v in value]
        return tuple(items) if (origin is tuple or annotation is tuple) else items
    if annotation is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise InputError(f"{what}: expected true or false, got {value!r}")
    if annotation in (int, float):
        if isinstance(value, bool):
            raise InputError(f"{what}: expected a number, got {value!r}")
        if isinstance(value, (int, float)) and annotation is float:
            return float(value)
        if isinstance(value, int) and annotation is int:
            return value
        try:
            return annotation(str(value).strip())
        except ValueError:
            raise InputError(
                f"{what}: expected {'an integer' if annotation is int else 'a number'}, "
                f"got {value!r}"
            ) from None
    if annotation is str:
        return str(value)
    return value


def import_plugins(package: str, path: Iterable[str], *, suffix: str = "") -> list[str]:
    """Import the public modules of a plugin package so that its entries register themselves.

    A package whose modules register catalogue entries calls this from its ``__init__``
    (``import_plugins(__name__, __path__)``), after its own imports; a new plugin is then one
    new file in the package and nothing else. Modules whose name starts with ``_`` are plumbing
    and are not imported; sub-packages are not descended into.

    Args:
        package: the package's ``__name__``.
        path: its ``__path__``.
        suffix: import only modules whose name ends with it (``"_reader"`` in ``corpora``, whose
            other modules are not plugins); default: every public module.

    Returns:
        The full names of the imported modules, in name order.
    """
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(list(path))
        if not m.ispkg and not m.name.startswith("_") and m.name.endswith(suffix)
    )
    return [importlib.import_module(f"{package}.{name}").__name__ for name in names]
