"""A tiny name -> builder registry shared by backbones, heads and losses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from corpora.errors import InputError

T = TypeVar("T")

__all__ = ["Registry"]


class Registry(Generic[T]):
    """Maps names to builder callables; ``create(name, **kw)`` builds one.

    Args:
        kind: what the registry holds ("backbone", "head", "loss"), used in error messages.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._builders: dict[str, Callable[..., T]] = {}

    def register(self, name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator: register ``fn`` under ``name`` (names are unique)."""

        def deco(fn: Callable[..., T]) -> Callable[..., T]:
            if name in self._builders:
                raise ValueError(f"{self.kind} {name!r} is registered twice")
            self._builders[name] = fn
            return fn

        return deco

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._builders)

    def __contains__(self, name: object) -> bool:
        return name in self._builders

    def create(self, name: str, **kw: Any) -> T:
        """Build the object registered under ``name`` with keyword arguments ``kw``."""
        try:
            builder = self._builders[name]
        except KeyError:
            raise InputError(
                f"unknown {self.kind} {name!r}; choose one of: {', '.join(self.names())}"
            ) from None
        return builder(**kw)
