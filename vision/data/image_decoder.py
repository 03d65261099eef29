"""``ImageDecoder``: the one decoder of image files into base images (every stage uses it).

The cache build, training (with and without the cache, any number of workers), adaptation
(tuning images, kNN bank) and prediction all turn a file into the same *base image*, uint8
``[size, size, 3]`` RGB, through :meth:`ImageDecoder.decode`:

1. Open the file (lazily: only the header). An image of more than ``max_image_pixels`` pixels
   is refused with Pillow's ``DecompressionBombError`` before any pixel is decoded (Pillow's
   ``Image.MAX_IMAGE_PIXELS`` safeguard against decompression bombs, with the limit as an
   option and one threshold: Pillow itself only warns up to twice its limit).
2. JPEG only, ``draft=True``: when the target is at most a quarter of the shorter side,
   decode at a reduced size (``Image.draft``: libjpeg's DCT scaling by 1/2, 1/4 or 1/8)
   that keeps at least twice the target on the shorter side, and resize from the exact
   region that the reduced image covers. The result differs from a full decode + resize by
   well under one grey level on average (see the tests); 1.3-2x less CPU per image on 416 px
   photos and 2.6x on 2000x1500 ones at 64 px (``bench/data.py``).
3. Apply the EXIF orientation (all 8 values) before anything else touches the geometry.
4. Convert to RGB: ``1``, ``L``, ``P``, ``CMYK``, ``YCbCr``, ``LAB``, ``HSV``, ``RGBX`` by
   Pillow's conversion (CMYK without ICC colour management); alpha (``RGBA``, ``LA``, ``PA``,
   ``RGBa``) and ``transparency`` (palette, grey or RGB colour key) composited on white;
   high bit depths scaled, not clipped: ``I;16*`` (16-bit grey) ``v -> round(v / 257)``;
   ``I`` (32-bit integer) and ``F`` (float) by their range: values within ``[0, 1]`` (``F``
   only) are ``* 255``, within ``[0, 255]`` kept, otherwise the 16-bit range ``/ 257``
   (clipped to ``[0, 255]``). 16-bit RGB(A) PNGs are read as 8-bit by Pillow.
5. Resize the shorter side to ``size`` (bilinear, antialiased), crop the centre square.

Anything Pillow raises for a bad file (``OSError`` incl. ``image file is truncated``,
``UnidentifiedImageError``, ``SyntaxError``, ``ValueError``, ``DecompressionBombError``,
``struct.error``, ``EOFError``...) becomes :class:`ImageDecodeError`, which names the file
and the reason; callers record it as a bad image instead of showing a traceback.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import ExifTags, Image, ImageOps

from corpora.errors import CorruptInputError, InputError

__all__ = ["ImageDecoder", "ImageDecodeError", "DEFAULT_MAX_IMAGE_PIXELS"]

#: Pillow's default ``PIL.Image.MAX_IMAGE_PIXELS`` (89,478,485 pixels), whatever it is set to now
DEFAULT_MAX_IMAGE_PIXELS: int = 1024 * 1024 * 1024 // 4 // 3

#: draft decoding keeps at least this many times the target size on the shorter side
_DRAFT_GAP = 2.0

_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")


class ImageDecodeError(CorruptInputError):
    """A file that cannot be decoded into a base image.

    Attributes:
        path: the file. reason: ``"ExceptionType: message"`` (what Pillow said, or the limit).
        hint: what to do (may be empty).
    """

    def __init__(self, path: str | Path, reason: str, hint: str = "") -> None:
        self.path = Path(path)
        self.reason = reason
        self.hint = hint
        super().__init__(f"cannot decode image {path} ({reason})" + (f"; {hint}" if hint else ""))

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across worker processes
        return (type(self), (self.path, self.reason, self.hint))


def _scaled_grey(img: Image.Image) -> Image.Image:
    """8-bit ``L`` image of a high-bit-depth grey image (``I;16*``, ``I``, ``F``), scaled."""
    arr = np.asarray(img)
    if img.mode.startswith("I;16"):
        out = np.rint(arr.astype(np.float32) / 257.0)
    else:
        a = arr.astype(np.float64)
        finite = a[np.isfinite(a)]
        lo = float(finite.min()) if finite.size else 0.0
        hi = float(finite.max()) if finite.size else 0.0
        if img.mode == "F" and lo >= 0.0 and hi <= 1.0:
            out = np.rint(a * 255.0)
        elif lo >= 0.0 and hi <= 255.0:
            out = np.rint(a)
        else:
            out = np.rint(a / 257.0)
        out = np.nan_to_num(out, nan=0.0, posinf=255.0, neginf=0.0)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")


def to_rgb(img: Image.Image) -> Image.Image:
    """RGB version of ``img`` (see the module docstring for every mode)."""
    if img.mode in ("I", "F") or img.mode.startswith("I;16"):
        img = _scaled_grey(img)
    if img.mode in _ALPHA_MODES or "transparency" in img.info:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if img.mode != "RGB":
        return img.convert("RGB")
    return img


def resize_center_crop(
    img: Image.Image, size: int, box: tuple[float, float, float, float] | None = None
) -> Image.Image:
    """Resize so the shorter side is ``size`` (bilinear, antialiased), then crop the centre
    square. ``box``: the region of ``img`` that holds the picture (a draft-decoded JPEG's last
    row and column may be partly outside it); default the whole image."""
    w, h = img.size
    full = (0, 0, w, h)
    if box is None or tuple(box) == full:
        box = None
        bw, bh = float(w), float(h)
    else:
        bw, bh = box[2] - box[0], box[3] - box[1]
    if box is None and (w, h) == (size, size):
        return img
    scale = size / min(bw, bh)
    nw, nh = max(size, round(bw * scale)), max(size, round(bh * scale))
    if box is not None or (nw, nh) != (w, h):
        img = img.resize((nw, nh), Image.BILINEAR, box=box, reducing_gap=None)
    left, top = (nw - size) // 2, (nh - size) // 2
    return img.crop((left, top, left + size, top + size))


def _oriented_box(
    box: tuple[float, float, float, float], size: tuple[int, int], orientation: int
) -> tuple[float, float, float, float]:
    """Where the region ``box = (0, 0, bw, bh)`` of a ``size = (W, H)`` image lies after the
    EXIF ``orientation``'s transposition (``ImageOps.exif_transpose``)."""
    (w, h), bw, bh = size, box[2], box[3]
    return {
        2: (w - bw, 0, w, bh),
        3: (w - bw, h - bh, w, h),
        4: (0, h - bh, bw, h),
        5: (0, 0, bh, bw),
        6: (h - bh, 0, h, bw),
        7: (h - bh, w - bw, h, w),
        8: (0, w - bw, bh, w),
    }.get(orientation, (0, 0, bw, bh))


@dataclass(frozen=True)
class ImageDecoder:
    """Decodes files into base images; its settings are part of every cache's parameters.

    Args:
        max_image_pixels: refuse images with more pixels than this (width x height; default
            Pillow's ``MAX_IMAGE_PIXELS``, 89,478,485). 0 or None: no limit.
        draft: reduced-size JPEG decoding when the target is much smaller (default True).
    """

    max_image_pixels: int | None = DEFAULT_MAX_IMAGE_PIXELS
    draft: bool = True

    def __post_init__(self) -> None:
        limit = self.max_image_pixels
        if limit is not None and (isinstance(limit, bool) or int(limit) < 0):
            raise InputError(
                f"max_image_pixels must be a pixel count >= 0 (0 = no limit), not {limit!r}"
            )
        object.__setattr__(self, "max_image_pixels", int(limit) if limit else 0)

    def settings(self) -> dict[str, Any]:
        """The settings as a JSON-able dict (recorded in cache manifests)."""
        return asdict(self)

    def _open(self, path: Path) -> Image.Image:
        """``Image.open`` (lazy: the header only) with the pixel limit of this decoder.

        Pillow's own check (``MAX_IMAGE_PIXELS``: a warning above it, an error above twice
        it) is replaced for the call by one test against ``max_image_pixels`` exactly, which
        raises ``DecompressionBombError`` before any pixel is decoded.
        """
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            img = Image.open(path)
        finally:
            Image.MAX_IMAGE_PIXELS = saved
        limit = self.max_image_pixels
        w, h = img.size
        if limit and w * h > limit:
            img.close()
            raise Image.DecompressionBombError(
                f"image size {w}x{h} = {w * h:,} pixels exceeds the limit of {limit:,} pixels "
                f"(--max-image-pixels {limit}; raise it, or 0 for no limit, if the image is "
                "genuine)"
            )
        return img

    @staticmethod
    def _reason(exc: BaseException) -> str:
        return f"{type(exc).__name__}: {exc}"

    def decode(self, path: str | Path, size: int) -> np.ndarray:
        """The base image of ``path``: uint8 ``[size, size, 3]`` RGB (see the module docstring).

        Raises:
            ImageDecodeError: the file cannot be decoded (names the file and the reason).
        """
        path = Path(path)
        size = int(size)
        try:
            with self._open(path) as img:
                box = None
                if self.draft and img.format == "JPEG":
                    w, h = img.size
                    scale = _DRAFT_GAP * size / min(w, h)
                    if scale <= 0.5:
                        drafted = img.draft(None, (math.ceil(w * scale), math.ceil(h * scale)))
                        box = drafted[1] if drafted is not None else None
                img.load()
                if box is not None:
                    orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
                    box = _oriented_box(box, img.size, orientation)
                ImageOps.exif_transpose(img, in_place=True)
                base = resize_center_crop(to_rgb(img), size, box)
                return np.array(base, dtype=np.uint8)  # a copy, valid after the file closes
        except Exception as exc:  # every Pillow failure on a bad file: recorded, not hidden
            raise ImageDecodeError(path, self._reason(exc)) from exc

    def check_header(self, path: str | Path) -> None:
        """Cheap check: open ``path`` (header, size limit) and ``verify()`` it; no pixel decode.

        Raises:
            ImageDecodeError: not an image, a broken header or chunk, too many pixels.
        """
        path = Path(path)
        try:
            with self._open(path) as img:
                img.verify()
        except Exception as exc:
            raise ImageDecodeError(path, self._reason(exc)) from exc
