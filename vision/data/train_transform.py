"""``TrainTransform``: the augmenting preset (random resized crop, flip, colour jitter)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from vision.data._tensor_image import (
    affine_chw,
    as_uint8_hwc,
    float_rows,
    normalize_,
    pil_resize,
    resize_float,
    upsample_rows,
)
from vision.data.build_transform import TRANSFORMS

__all__ = ["TrainTransform"]

# RGB -> YIQ and back; a hue rotation is a rotation of the chroma (I, Q) plane.
_YIQ = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
_RGB = np.linalg.inv(_YIQ)
_GREY = np.array([0.299, 0.587, 0.114])
_EYE = np.eye(3)
_ONES_GREY = np.outer(np.ones(3), _GREY)
_HUE_A = _RGB @ np.diag([1.0, 0.0, 0.0]) @ _YIQ
_HUE_B = _RGB @ np.diag([0.0, 1.0, 1.0]) @ _YIQ
_HUE_C = _RGB @ np.array([[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]) @ _YIQ


@TRANSFORMS.register("train", help="random resized crop, flip and colour jitter")
class TrainTransform:
    r"""Random resized crop, horizontal flip and colour jitter.

    1. Crop: area fraction ``U(scale)`` of the image (default ``(0.35, 1)``), aspect ratio
       log-uniform in ``ratio`` (default ``(3/4, 4/3)``), position uniform (10 tries, then
       the centre square), resized to ``image_size``: bilinear (``align_corners=False``) when
       upsampling (the usual case: base images are ``image_size`` square), PIL's antialiased
       bilinear when shrinking.
    2. Horizontal flip with probability ``flip`` (0.5).
    3. Colour jitter with factors ``b, c, s ~ U(1 - jitter, 1 + jitter)`` (default 0.3) and
       hue shift ``h ~ U(-hue, hue)`` (default 0.05, in turns), applied per pixel ``x`` (RGB
       in ``[0, 1]``) as brightness ``x b``, contrast ``(x - m) c + m`` (``m``: mean grey
       level of the image), saturation ``(x - g) s + g`` (``g = 0.299 R + 0.587 G + 0.114 B``
       per pixel), hue: rotation of the YIQ chroma plane by ``2 \pi h``. These are linear,
       so they are applied as one ``3 x 3`` matrix plus offset, then clamped to ``[0, 1]``
       once (torchvision clamps after each step and shuffles their order).
    4. ``normalize=True``: ImageNet mean/std.

    Randomness comes from torch's global generator (``torch.manual_seed`` makes it
    repeatable; DataLoader workers get their own seeds). Input: PIL image, uint8
    ``[H, W, 3]`` array or ``[3, H, W]`` tensor; output float32 ``[3, image_size, image_size]``.
    """

    def __init__(
        self,
        image_size: int = 64,
        normalize: bool = True,
        scale: tuple[float, float] = (0.35, 1.0),
        ratio: tuple[float, float] = (3 / 4, 4 / 3),
        flip: float = 0.5,
        jitter: float = 0.3,
        hue: float = 0.05,
    ) -> None:
        self.image_size = int(image_size)
        self.normalize = bool(normalize)
        self.scale = (float(scale[0]), float(scale[1]))
        self.ratio = (float(ratio[0]), float(ratio[1]))
        self.flip = float(flip)
        self.jitter = float(jitter)
        self.hue = float(hue)

    def crop_box(self, h: int, w: int, u: list[float]) -> tuple[int, int, int, int]:
        """``(top, left, height, width)`` of the crop from uniform draws ``u`` (40 numbers)."""
        area = h * w
        log_r = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for k in range(10):
            a, r, p, q = u[4 * k : 4 * k + 4]
            target = area * (self.scale[0] + a * (self.scale[1] - self.scale[0]))
            aspect = math.exp(log_r[0] + r * (log_r[1] - log_r[0]))
            cw = round(math.sqrt(target * aspect))
            ch = round(math.sqrt(target / aspect))
            if 0 < cw <= w and 0 < ch <= h:
                return int(p * (h - ch + 1)), int(q * (w - cw + 1)), ch, cw
        side = min(h, w)
        return (h - side) // 2, (w - side) // 2, side, side

    def colour_matrix(self, u: list[float]) -> tuple[np.ndarray, float, float]:
        """``(M [3, 3], c, b)`` of the colour jitter from 4 uniform draws (see the class doc)."""
        j = self.jitter
        b, c, s = (1 - j + 2 * j * v for v in u[:3])
        theta = 2 * math.pi * self.hue * (2 * u[3] - 1)
        cos, sin = math.cos(theta), math.sin(theta)
        # saturation: s I + (1 - s) 1 g^T; hue: RGB(rot(theta)) YIQ, precomputed as A + cos B + sin C.
        hue = _HUE_A + cos * _HUE_B + sin * _HUE_C
        sat = s * _EYE + (1 - s) * _ONES_GREY
        return (c * b) * (hue @ sat), c, b

    def __call__(self, image: Any) -> torch.Tensor:
        s = self.image_size
        u = torch.rand(45, dtype=torch.float64).tolist()
        arr = as_uint8_hwc(image)
        if arr is not None:
            top, left, ch, cw = self.crop_box(arr.shape[0], arr.shape[1], u)
            flip = u[40] < self.flip
            if ch <= s and cw <= s:  # upsampling (always, for base images): matrix products
                rows = upsample_rows(arr[top : top + ch, left : left + cw], s, flip)
            else:  # downsampling needs antialiasing: PIL
                arr = pil_resize(arr, (s, s), box=(left, top, left + cw, top + ch), flip=flip)
                rows = float_rows(arr)
            matrix, offset = None, 0.0
            if self.jitter > 0 or self.hue > 0:
                matrix, c, b = self.colour_matrix(u[41:45])
                # x' = M x + (1 - c) * b * m, m = the mean grey level of the crop (in [0, 1]).
                grey = float(rows.mean(axis=1) @ _GREY) / 255.0
                offset = (1 - c) * b * grey
            return affine_chw(rows, (s, s), matrix, offset, self.normalize, clamp=True)
        x = image.to(torch.float32)
        top, left, ch, cw = self.crop_box(x.shape[1], x.shape[2], u)
        x = resize_float(x[:, top : top + ch, left : left + cw], s, s)
        x = x.flip(-1) if u[40] < self.flip else x.clone()
        if self.jitter > 0 or self.hue > 0:
            matrix, c, b = self.colour_matrix(u[41:45])
            grey = float(x.mean(dim=(1, 2)).double().numpy() @ _GREY)
            m = torch.from_numpy(matrix.astype(np.float32))
            x = (m @ x.reshape(3, -1)).reshape(3, s, s).add_((1 - c) * b * grey)
        x = x.clamp_(0.0, 1.0)
        return normalize_(x) if self.normalize else x

    def __repr__(self) -> str:
        return (
            f"TrainTransform(image_size={self.image_size}, normalize={self.normalize}, "
            f"scale={self.scale}, ratio={self.ratio}, flip={self.flip}, jitter={self.jitter}, hue={self.hue})"
        )
