"""Map dataset label names (COCO, PASCAL VOC, word lists) to vocabulary indices."""

from __future__ import annotations

import logging
from collections.abc import Sequence

__all__ = ["NameLookup", "DATASET_ALIASES"]

logger = logging.getLogger(__name__)

# COCO / PASCAL VOC class names whose spelling differs from the Open Images display name of the
# same object class. Used only when the name itself is not in the vocabulary; every use is
# counted and reported next to the metric ("mapped 77/80, 12 via aliases").
DATASET_ALIASES: dict[str, str] = {
    "aeroplane": "airplane",
    "motorbike": "motorcycle",
    "sofa": "couch",
    "tvmonitor": "television",
    "tv": "television",
    "pottedplant": "houseplant",
    "potted plant": "houseplant",
    "diningtable": "kitchen & dining room table",
    "dining table": "kitchen & dining room table",
    "cell phone": "mobile phone",
    "donut": "doughnut",
    "hair drier": "hair dryer",
    "remote": "remote control",
    "skis": "ski",
    "cow": "cattle",
    "frisbee": "flying disc",
    "microwave": "microwave oven",
}


def _norm(name: str) -> str:
    return " ".join(name.replace("_", " ").strip().lower().split())


class NameLookup:
    """Case-insensitive name -> label index over a vocabulary's display names.

    When several codes share a display name, the first one in vocabulary order wins (the
    Open Images list has 274 such names); pass ``prefer`` (e.g. corpus frequency ``[L]``) to
    pick the most frequent instead.

    Args:
        names: ``[L]`` display names in vocabulary order.
        aliases: extra ``{dataset name: vocabulary name}`` tried when a name is not found.
        prefer: optional ``[L]`` scores; among codes sharing a name the highest wins.
    """

    def __init__(
        self,
        names: Sequence[str],
        aliases: dict[str, str] | None = None,
        prefer: Sequence[float] | None = None,
    ) -> None:
        self._index: dict[str, int] = {}
        for i, name in enumerate(names):
            key = _norm(name)
            j = self._index.get(key)
            if j is None or (prefer is not None and prefer[i] > prefer[j]):
                self._index[key] = i
        self.aliases = {_norm(k): _norm(v) for k, v in (aliases or {}).items()}

    def find(self, name: str) -> tuple[int | None, bool]:
        """Return ``(index or None, used_alias)`` for a dataset name."""
        key = _norm(name)
        if key in self._index:
            return self._index[key], False
        alias = self.aliases.get(key)
        if alias is not None and alias in self._index:
            return self._index[alias], True
        return None, False
