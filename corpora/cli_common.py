"""Plumbing shared by the ``labelgraph`` and ``vision`` command-line interfaces.

* :func:`make_parser`: the top-level parser of a CLI, with ``--version`` and one
  :class:`CommandParser` per sub-command. A sub-command may add its arguments lazily
  (:meth:`CommandParser.build_later`): they are built only when that sub-command is parsed or
  its help printed, so ``--help`` and the cheap sub-commands never import what the others need
  (torch).
* Every option's help shows its default (:class:`DefaultsHelpFormatter`).
* ``-c/--config FILE.yaml`` supplies defaults for the chosen sub-command (keys are the
  long flag names, kebab-case or snake_case); flags given on the command line win. A config
  saved by :func:`save_resolved_config` is accepted back as it is (round trip).
* :func:`run_cli` turns :class:`~corpora.errors.InputError` and missing files into one line on
  stderr and exit status 2. Other exceptions are bugs and keep their traceback.
* :func:`usable_cpus` and :func:`choose_threads`: the CPUs this process may use (affinity,
  cgroup quota) and the default number of compute threads (``--threads``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import logging
import math
import os
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from corpora.atomic import atomic_write
from corpora.errors import InputError

__all__ = [
    "CommandParser",
    "DefaultsHelpFormatter",
    "make_parser",
    "iter_parsers",
    "add_common_flags",
    "parse_args",
    "run_cli",
    "save_resolved_config",
    "resolved_config",
    "package_version",
    "usable_cpus",
    "cgroup_cpu_limit",
    "choose_threads",
]

logger = logging.getLogger(__name__)

#: the distribution whose version ``--version`` prints (both CLIs ship in it)
DISTRIBUTION = "labelgraph"


def package_version(distribution: str = DISTRIBUTION) -> str:
    """The installed version of ``distribution`` (the one place of the version is
    ``pyproject.toml``; the installed metadata carries it), or ``"0+unknown"`` when the code
    runs from a source tree that was never installed."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to an option's help when it has a default (not None, False
    or empty) that the help text does not already state."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            not action.option_strings
            or "%(default)" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or (isinstance(default, (list, tuple, dict)) and not default)
            or re.search(r"\bdefault\b", text)
        ):
            return text
        return f"{text} (default: %(default)s)" if text else "default: %(default)s"


class CommandParser(argparse.ArgumentParser):
    """The parser of one sub-command; its arguments may be added lazily.

    ``parser.build_later(fn)`` defers ``fn(parser)`` (which adds the arguments) until the
    parser is first used: parsing, help, usage, or :meth:`ensure_built`. A CLI's top-level
    ``--help`` therefore builds (and imports) nothing a sub-command needs.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", DefaultsHelpFormatter)
        super().__init__(*args, **kwargs)
        self._builders: list[Callable[[argparse.ArgumentParser], None]] = []

    def build_later(self, build: Callable[[argparse.ArgumentParser], None]) -> None:
        """Run ``build(self)`` when the parser is first used."""
        self._builders.append(build)

    def ensure_built(self) -> CommandParser:
        """Run the deferred builders (once); returns the parser."""
        while self._builders:
            self._builders.pop(0)(self)
        return self

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        self.ensure_built()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self.ensure_built()
        return super().format_help()

    def format_usage(self) -> str:
        self.ensure_built()
        return super().format_usage()


def make_parser(prog: str, description: str, modules: Sequence[str]) -> argparse.ArgumentParser:
    """A top-level parser whose sub-commands come from ``modules`` (the CLI's registry).

    Each module defines ``register(subparsers) -> None``; ``subparsers.add_parser`` makes
    :class:`CommandParser` s. ``--version`` prints ``PROG VERSION``.
    """
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=DefaultsHelpFormatter
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {package_version()}",
        help="print the version and exit",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=CommandParser
    )
    for name in modules:
        importlib.import_module(name).register(subparsers)
    return parser


def iter_parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """``(sub-command words, parser)`` of ``parser`` and every sub-command below it, each
    built (lazy arguments added); for tests and documentation."""
    if isinstance(parser, CommandParser):
        parser.ensure_built()
    out = [(path, parser)]
    seen: set[int] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word, sub in action.choices.items():
                if id(sub) not in seen:  # aliases share one parser
                    seen.add(id(sub))
                    out.extend(iter_parsers(sub, (*path, word)))
    return out


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``-c/--config``, ``-v/--verbose`` and ``--quiet`` to a (sub-)parser."""
    group = parser.add_argument_group("general")
    group.add_argument(
        "-c",
        "--config",
        default=None,
        metavar="YAML",
        help="YAML file whose keys (long flag names) are used as defaults for this command; "
        "the config.yaml a command saves is accepted as it is",
    )
    group.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    group.add_argument("--quiet", action="store_true", help="no progress bars, warnings only")


def _parser_chain(
    parser: argparse.ArgumentParser, argv: Sequence[str]
) -> list[tuple[argparse.ArgumentParser, str | None, str | None]]:
    """The parsers the sub-command words of ``argv`` lead through, from the top:
    ``(parser, dest of its sub-command choice, the word chosen)`` (None, None for the last)."""
    chain: list[tuple[argparse.ArgumentParser, str | None, str | None]] = []
    current = parser
    words = iter([w for w in argv if not w.startswith("-")])
    while True:
        if isinstance(current, CommandParser):
            current.ensure_built()
        sub_actions = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if not sub_actions:
            chain.append((current, None, None))
            return chain
        action = sub_actions[0]
        word = next((w for w in words if w in action.choices), None)
        if word is None:
            chain.append((current, None, None))
            return chain
        chain.append((current, action.dest, word))
        current = action.choices[word]


def _load_config(path: str) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"config file {path!r} does not exist")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"config file {path!r} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise InputError(f"config file {path!r} must hold a mapping of flag names to values")
    return data


def _config_path_in(argv: Sequence[str]) -> str | None:
    for i, word in enumerate(argv):
        if word in ("-c", "--config") and i + 1 < len(argv):
            return argv[i + 1]
        if word.startswith("--config="):
            return word.split("=", 1)[1]
    return None


#: the attribute of parsed arguments holding :func:`from_config`'s set (not saved in configs)
FROM_CONFIG_ATTR = "_from_config"
_CONFIG_MARK = object()


def parse_args(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None = None
) -> argparse.Namespace:
    """Parse ``argv``; when ``-c FILE`` is given, its keys become the sub-command's defaults.

    A key naming the sub-command itself (``command: train``, as :func:`save_resolved_config`
    writes it) must match the sub-command chosen on the command line.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    config_path = _config_path_in(argv)
    if not config_path:
        return parser.parse_args(argv)
    config = _load_config(config_path)
    chain = _parser_chain(parser, argv)
    target = chain[-1][0]
    chosen = {dest: word for _, dest, word in chain if dest}
    known = {a.dest: a for a in target._actions}
    defaults: dict[str, Any] = {}
    for key, value in config.items():
        dest = str(key).lstrip("-").replace("-", "_")
        if dest in chosen:
            if str(value) != chosen[dest]:
                words = " ".join(w for _, _, w in chain if w)
                raise InputError(
                    f"config file {config_path!r} was saved by the {value!r} command "
                    f"({key}: {value}), not {words!r}; use it with that command"
                )
            continue
        if dest not in known or dest in ("config", "help", "version"):
            choices = sorted(
                d.replace("_", "-") for d in known if d not in ("help", "config", "version")
            )
            raise InputError(
                f"config file {config_path!r}: unknown key {key!r}; known keys: {', '.join(choices)}"
            )
        defaults[dest] = value
    # Required arguments may now come from the config: relax them before parsing.
    for dest in defaults:
        known[dest].required = False
    # Which config values survive the command line: parse once with a marker as their default.
    target.set_defaults(**{dest: _CONFIG_MARK for dest in defaults})
    probe = parser.parse_args(argv)
    from_config = {dest for dest in defaults if getattr(probe, dest, None) is _CONFIG_MARK}
    target.set_defaults(**defaults)
    args = parser.parse_args(argv)
    setattr(args, FROM_CONFIG_ATTR, from_config)
    return args


def from_config(args: argparse.Namespace) -> set[str]:
    """The destinations (``head``, ``rerank_hidden``, ...) whose values came from the ``-c``
    config file rather than the command line (empty without a config). Lets a command rank
    two spellings of one setting by where they were written: a value typed on the command line
    wins over one read from the config, whichever spelling either used."""
    return set(getattr(args, FROM_CONFIG_ATTR, ()))


def resolved_config(args: argparse.Namespace) -> dict[str, Any]:
    """The final arguments as a plain, YAML-safe dict (callables dropped, paths as strings);
    :func:`parse_args` accepts it back as a ``-c`` config."""
    out: dict[str, Any] = {}
    for key, value in sorted(vars(args).items()):
        if callable(value) or key in ("config", FROM_CONFIG_ATTR):
            continue
        if isinstance(value, os.PathLike):
            value = os.fspath(value)
        elif isinstance(value, (list, tuple)):
            value = [os.fspath(v) if isinstance(v, os.PathLike) else v for v in value]
        out[key.replace("_", "-")] = value
    return out


def save_resolved_config(args: argparse.Namespace, path: str | os.PathLike[str]) -> Path:
    """Write the resolved arguments of a command as YAML (atomically) and return the path."""
    path = Path(path)
    with atomic_write(path) as fh:
        yaml.safe_dump(resolved_config(args), fh, sort_keys=True)
    return path


def _configure_logging(args: argparse.Namespace) -> None:
    level = (
        logging.DEBUG
        if getattr(args, "verbose", False)
        else (logging.WARNING if getattr(args, "quiet", False) else logging.INFO)
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)


def run_cli(
    prog: str,
    get_args_parser: Callable[[], argparse.ArgumentParser],
    argv: Sequence[str] | None = None,
) -> int:
    """Parse, configure logging and dispatch to ``args.func(args)``; returns the exit status."""
    # torch_geometric calls torch.jit.script at import time, which torch >= 2.10 flags as
    # deprecated on every run; it says nothing about this program, so keep it off the terminal.
    warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated")
    parser = get_args_parser()
    try:
        args = parse_args(parser, argv)
    except InputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    if not hasattr(args, "func"):
        parser.print_help(sys.stderr)
        return 2
    _configure_logging(args)
    try:
        rc = args.func(args)
    except InputError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _stdout_closed()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_closed()
    return int(rc or 0)


def _stdout_closed() -> int:
    """The reader of our stdout went away (``labelgraph info | head``): not an error of this
    program. Point stdout at /dev/null so the interpreter's final flush cannot raise again
    (the recipe of Python's ``signal`` documentation) and exit as a shell reports SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass
    finally:
        os.close(devnull)
    return 128 + 13


# ----------------------------------------------------------------------------- CPUs, threads
_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _cgroup_dirs(root: Path, proc_cgroup: Path) -> list[tuple[str, Path]]:
    """``(version, folder)`` of this process's CPU cgroup and its ancestors up to ``root``
    (v2: ``0::/path``; v1: the ``cpu`` controller's line). In a container the recorded path
    may not exist below ``root`` (the container sees its own cgroup at ``root``): then
    ``root`` itself is read."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        return []
    out: list[tuple[str, Path]] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, rel = parts
        if controllers == "":
            version, base = "v2", root
        elif "cpu" in controllers.split(","):
            version = "v1"
            base = next(
                (
                    root / name
                    for name in (controllers, "cpu,cpuacct", "cpu")
                    if (root / name).is_dir()
                ),
                root / "cpu",
            )
        else:
            continue
        folder = base / rel.lstrip("/")
        if not folder.is_dir():
            folder = base
        while True:
            out.append((version, folder))
            if folder == base or folder.parent == folder:
                break
            folder = folder.parent
    return out


def cgroup_cpu_limit(
    root: str | os.PathLike[str] = _CGROUP_ROOT,
    proc_cgroup: str | os.PathLike[str] = "/proc/self/cgroup",
) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (``quota / period``; the smallest over
    the cgroup and its ancestors), or None when there is none: cgroup v2 ``cpu.max``
    (``"max 100000"`` = none, ``"150000 100000"`` = 1.5 CPUs), v1 ``cpu.cfs_quota_us`` /
    ``cpu.cfs_period_us`` (quota -1 = none)."""
    limits: list[float] = []
    for version, folder in _cgroup_dirs(Path(root), Path(proc_cgroup)):
        try:
            if version == "v2":
                text = (folder / "cpu.max").read_text().split()
                if len(text) == 2 and text[0] != "max":
                    limits.append(int(text[0]) / int(text[1]))
            else:
                quota = int((folder / "cpu.cfs_quota_us").read_text())
                period = int((folder / "cpu.cfs_period_us").read_text())
                if quota > 0 and period > 0:
                    limits.append(quota / period)
        except (OSError, ValueError):
            continue
    return min(limits) if limits else None


def usable_cpus() -> int:
    """CPUs this process may actually use: its affinity mask (``os.sched_getaffinity``,
    else ``os.cpu_count()``), capped by the cgroup CPU quota (rounded down, at least 1)."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    limit = cgroup_cpu_limit()
    if limit is not None:
        n = min(n, max(1, math.floor(limit + 1e-9)))
    return max(1, n)


def choose_threads(
    requested: int | None = None,
    workers: int = 0,
    cpus: int | None = None,
    use_env: bool = True,
) -> tuple[int, str]:
    """The number of compute threads (torch intra-op) and why, as ``(n, reason)``.

    ``requested`` (``--threads``) wins; else ``OMP_NUM_THREADS`` when set; else the usable
    CPUs (:func:`usable_cpus`, or ``cpus``) minus the data-loader ``workers`` (one CPU each),
    minus one CPU left to the rest of the machine when there are at least two: a thread team
    that spans every CPU waits for its slowest member at each step, so any other process
    stalls it (on a shared 2-CPU machine torch's default of 2 threads trained 7-13x slower
    than 1 thread). At least 1. ``use_env=False`` ignores ``OMP_NUM_THREADS`` (benchmarks).
    """
    if requested is not None:
        if requested < 1:
            raise InputError(f"--threads must be >= 1, not {requested}")
        return int(requested), "--threads"
    env = os.environ.get("OMP_NUM_THREADS", "").strip() if use_env else ""
    if env.isdigit() and int(env) >= 1:
        return int(env), "OMP_NUM_THREADS"
    cpus = usable_cpus() if cpus is None else int(cpus)
    free = cpus - max(int(workers), 0)
    n = max(1, free - 1 if free >= 2 else free)
    plural = "s" if workers != 1 else ""
    return n, (
        f"{cpus} usable CPU{'s' if cpus != 1 else ''}, {workers} loader worker{plural}"
        + (", 1 CPU left to other processes" if free >= 2 else "")
    )
