"""Was a file one of a graph's build inputs? (searched in the manifest by path and checksum)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["manifest_mentions_file"]

logger = logging.getLogger(__name__)


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _strings(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _strings(v)


def _digests(path: Path) -> set[str]:
    h_sha256, h_md5, h_sha1 = hashlib.sha256(), hashlib.md5(), hashlib.sha1()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h_sha256.update(block)
            h_md5.update(block)
            h_sha1.update(block)
    return {h.hexdigest() for h in (h_sha256, h_md5, h_sha1)}


def manifest_mentions_file(manifest: dict[str, Any], path: str | os.PathLike[str]) -> bool:
    """True when ``manifest`` names ``path`` (same resolved path) or holds one of its checksums
    (sha256/sha1/md5 hex, possibly prefixed ``"sha256:"`` or truncated to >= 12 characters)."""
    p = Path(path).resolve()
    digests = _digests(p)
    for s in _strings(manifest):
        s_norm = s.split(":", 1)[1] if s.startswith(("sha256:", "md5:", "sha1:")) else s
        if len(s_norm) >= 12 and all(c in "0123456789abcdef" for c in s_norm.lower()):
            if any(d.startswith(s_norm.lower()) for d in digests):
                return True
        if ("/" in s or os.sep in s) and len(s) < 4096:
            try:
                if Path(s).resolve() == p:
                    return True
            except (OSError, ValueError):
                logger.debug("manifest string %r is not a path", s[:80])
    return False
