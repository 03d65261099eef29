"""Which files of a folder are images, by id (private plumbing of the image datasets)."""

from __future__ import annotations

import os
from pathlib import Path

#: file name extensions taken as images (lower case); anything else in a folder is ignored
IMAGE_EXTENSIONS = (
    ".jpg",
    ".jpeg",
    ".jpe",
    ".jfif",
    ".png",
    ".webp",
    ".gif",
    ".bmp",
    ".tif",
    ".tiff",
)


def index_images(images_dir: Path) -> dict[str, Path]:
    """Image id (file name without extension) -> path, for every image file in the folder.

    When one id has several files (``a.jpg`` and ``a.png``), the first in name order wins.
    """
    out: dict[str, Path] = {}
    with os.scandir(images_dir) as it:
        entries = sorted((e.name, e.path) for e in it if e.is_file())
    for name, path in entries:
        stem, ext = os.path.splitext(name)
        if ext.lower() in IMAGE_EXTENSIONS:
            out.setdefault(stem, Path(path))
    return out


def find_image(found: dict[str, Path], image_id: str) -> Path | None:
    """The file of ``image_id`` in an :func:`index_images` mapping; an id written with its
    extension (``abc.jpg``) is accepted too."""
    path = found.get(image_id)
    if path is None and os.path.splitext(image_id)[1].lower() in IMAGE_EXTENSIONS:
        path = found.get(os.path.splitext(image_id)[0])
    return path
