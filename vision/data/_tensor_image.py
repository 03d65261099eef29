"""Small image helpers shared by the transform presets (private plumbing).

Inputs may be PIL images, uint8 ``[H, W, 3]`` arrays (the dataset's base images) or
``[3, H, W]`` tensors (uint8, or float in ``[0, 1]``). uint8 inputs are resized with PIL
(bilinear, antialiased: the same resampling the image cache uses) and converted with numpy
(per-pixel affine colour maps are one small matrix product); float tensors go through
``torch.nn.functional.interpolate`` (bilinear, antialiased).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_MEAN_NP = np.asarray(IMAGENET_MEAN, dtype=np.float32)
_STD_NP = np.asarray(IMAGENET_STD, dtype=np.float32)


def as_uint8_hwc(image: Any) -> np.ndarray | None:
    """uint8 ``[H, W, 3]`` view of a PIL image / uint8 array / uint8 ``[3, H, W]`` tensor;
    None for float tensors."""
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"))
    if isinstance(image, np.ndarray):
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected a uint8 [H, W, 3] array, got {image.dtype} {image.shape}")
        return image
    if isinstance(image, torch.Tensor) and image.ndim == 3 and image.shape[0] == 3:
        if image.dtype == torch.uint8:
            return image.permute(1, 2, 0).numpy()
        return None
    raise ValueError("expected a PIL image, a uint8 [H, W, 3] array or a [3, H, W] tensor")


def float_rows(arr: np.ndarray) -> np.ndarray:
    """uint8 ``[H, W, 3]`` -> float32 ``[3, H * W]`` (0..255), C-contiguous."""
    return np.ascontiguousarray(arr.reshape(-1, 3).T, dtype=np.float32)


_SCALE = {True: (1.0 / (255.0 * _STD_NP))[:, None], False: np.full((3, 1), 1 / 255.0, np.float32)}
_SHIFT = {True: (-_MEAN_NP / _STD_NP)[:, None], False: np.zeros((3, 1), np.float32)}
_PER_UNIT = {True: (1.0 / _STD_NP)[:, None], False: np.ones((3, 1), np.float32)}
_LO = {True: _SHIFT[True], False: np.zeros((3, 1), np.float32)}
_HI = {True: ((1.0 - _MEAN_NP) / _STD_NP)[:, None], False: np.ones((3, 1), np.float32)}


def affine_chw(
    rows: np.ndarray,
    shape: tuple[int, int],
    matrix: np.ndarray | None,
    offset: float,
    normalize: bool,
    clamp: bool,
) -> torch.Tensor:
    """float32 ``[3, H, W]`` tensor of ``clamp(matrix @ (rgb / 255) + offset)`` for every
    pixel of ``rows`` (:func:`float_rows`), then optionally ImageNet-normalised (folded into
    the map, clamping to the normalised image of ``[0, 1]``); ``matrix=None`` is the identity."""
    h, w = shape
    if matrix is None:
        y = rows * _SCALE[normalize]
    else:
        y = (matrix.astype(np.float32) * _SCALE[normalize]) @ rows
    shift = (
        _SHIFT[normalize] + np.float32(offset) * _PER_UNIT[normalize]
        if offset
        else _SHIFT[normalize]
    )
    y += shift
    if clamp:
        np.clip(y, _LO[normalize], _HI[normalize], out=y)
    return torch.from_numpy(y.reshape(3, h, w))


def pil_resize(
    arr: np.ndarray,
    size: tuple[int, int],
    box: tuple[int, int, int, int] | None = None,
    flip: bool = False,
) -> np.ndarray:
    """Resize (optionally the ``box = (left, top, right, bottom)`` region of) a uint8 image to
    ``size = (width, height)`` (PIL bilinear, antialiased), optionally mirrored left-right."""
    h, w = arr.shape[:2]
    if (box is None or box == (0, 0, w, h)) and (w, h) == size and not flip:
        return arr
    arr = np.ascontiguousarray(arr)
    src = Image.frombuffer("RGB", (w, h), arr, "raw", "RGB", 0, 1)  # no copy
    img = src.resize(size, Image.BILINEAR, box=box, reducing_gap=None)
    if flip:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return np.asarray(img)


@lru_cache(maxsize=512)
def bilinear_weights(n_in: int, n_out: int) -> np.ndarray:
    """``[n_out, n_in]`` float32 matrix of bilinear interpolation (``align_corners=False``,
    edge-clamped, no antialiasing: meant for upsampling, ``n_in <= n_out``)."""
    w = np.zeros((n_out, n_in), np.float32)
    pos = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    pos = np.clip(pos, 0.0, n_in - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = (pos - lo).astype(np.float32)
    rows = np.arange(n_out)
    np.add.at(w, (rows, lo), 1.0 - frac)
    np.add.at(w, (rows, hi), frac)
    w.setflags(write=False)
    return w


def upsample_rows(crop: np.ndarray, size: int, flip: bool) -> np.ndarray:
    """Bilinear upsampling of a uint8 ``[h, w, 3]`` crop (``h, w <= size``) to float32
    ``[3, size * size]`` (0..255), optionally mirrored left-right: two small matrix products."""
    ry = bilinear_weights(crop.shape[0], size)
    rx = bilinear_weights(crop.shape[1], size)
    if flip:
        rx = rx[::-1]
    x = crop.astype(np.float32).transpose(2, 0, 1)
    return np.ascontiguousarray((ry @ x @ rx.T).reshape(3, -1))


def resize_float(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Bilinear, antialiased resize of ``[3, H, W]`` float to ``[3, height, width]``."""
    if x.shape[1] == height and x.shape[2] == width:
        return x
    return F.interpolate(
        x[None], size=(height, width), mode="bilinear", antialias=True, align_corners=False
    )[0]


def normalize_(x: torch.Tensor) -> torch.Tensor:
    """In place: ``(x - IMAGENET_MEAN) / IMAGENET_STD`` per channel of a ``[3, H, W]`` tensor."""
    mean = torch.from_numpy(_MEAN_NP).view(3, 1, 1)
    std = torch.from_numpy(_STD_NP).view(3, 1, 1)
    return x.sub_(mean).div_(std)
