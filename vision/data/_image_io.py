"""Image decoding shared by the dataset and the cache (private plumbing)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")


def index_images(images_dir: Path) -> dict[str, Path]:
    """Image id (file name without extension) -> path, for every image file in the folder."""
    out: dict[str, Path] = {}
    with os.scandir(images_dir) as it:
        for entry in it:
            stem, ext = os.path.splitext(entry.name)
            if ext.lower() in IMAGE_EXTENSIONS and entry.is_file():
                out.setdefault(stem, Path(entry.path))
    return out


def to_rgb(img: Image.Image) -> Image.Image:
    """RGB version of ``img``: transparency composited on white, greyscale/palette converted."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if img.mode != "RGB":
        return img.convert("RGB")
    return img


def resize_center_crop(img: Image.Image, size: int) -> Image.Image:
    """Resize so the shorter side is ``size`` (bilinear, antialiased), then crop the centre square."""
    w, h = img.size
    if (w, h) != (size, size):
        scale = size / min(w, h)
        nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
        if (nw, nh) != (w, h):
            img = img.resize((nw, nh), Image.BILINEAR, reducing_gap=None)
        left, top = (nw - size) // 2, (nh - size) // 2
        img = img.crop((left, top, left + size, top + size))
    return img


def load_base_image(path: Path, size: int) -> np.ndarray:
    """Decode ``path`` into the dataset's base image: uint8 ``[size, size, 3]`` RGB.

    Raises:
        OSError / PIL errors for unreadable files (callers turn them into bad-image records).
    """
    with Image.open(path) as img:
        img.load()
        rgb = resize_center_crop(to_rgb(img), size)
        return np.asarray(rgb, dtype=np.uint8).copy()


def check_image_header(path: Path) -> None:
    """Open ``path`` lazily and ``verify()`` it (cheap; catches non-images, bad PNG chunks)."""
    with Image.open(path) as img:
        img.verify()
