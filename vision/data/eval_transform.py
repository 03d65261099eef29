"""``EvalTransform``: the deterministic preset (resize the shorter side, centre crop)."""

from __future__ import annotations

from typing import Any

import torch

from vision.data._tensor_image import (
    affine_chw,
    as_uint8_hwc,
    float_rows,
    normalize_,
    pil_resize,
    resize_float,
)
from vision.data.build_transform import TRANSFORMS

__all__ = ["EvalTransform"]


@TRANSFORMS.register("eval", help="resize the shorter side, centre crop (deterministic)")
class EvalTransform:
    """Resize the shorter side to ``round(image_size * resize_ratio)`` (bilinear, antialiased),
    centre-crop ``image_size``, scale to ``[0, 1]``, then (``normalize=True``) standardise with
    the ImageNet mean/std.

    A base image that already is ``image_size`` square (what :class:`ImageFolderDataset` and
    its cache hand over) passes through the geometry unchanged. Input: PIL image, uint8
    ``[H, W, 3]`` array or ``[3, H, W]`` tensor; output float32 ``[3, image_size, image_size]``.
    """

    def __init__(
        self, image_size: int = 64, normalize: bool = True, resize_ratio: float = 1.0
    ) -> None:
        self.image_size = int(image_size)
        self.normalize = bool(normalize)
        self.resize_ratio = float(resize_ratio)

    def _size(self, h: int, w: int) -> tuple[int, int]:
        short = max(self.image_size, round(self.image_size * self.resize_ratio))
        scale = short / min(h, w)
        return max(short, round(h * scale)), max(short, round(w * scale))

    def __call__(self, image: Any) -> torch.Tensor:
        s = self.image_size
        arr = as_uint8_hwc(image)
        if arr is not None:
            h, w = arr.shape[:2]
            if (h, w) != (s, s):
                nh, nw = self._size(h, w)
                arr = pil_resize(arr, (nw, nh))
                top, left = (nh - s) // 2, (nw - s) // 2
                arr = arr[top : top + s, left : left + s]
            return affine_chw(float_rows(arr), (s, s), None, 0.0, self.normalize, clamp=False)
        x = image.to(torch.float32).clone()
        _, h, w = x.shape
        if (h, w) != (s, s):
            nh, nw = self._size(h, w)
            x = resize_float(x, nh, nw)
            top, left = (nh - s) // 2, (nw - s) // 2
            x = x[:, top : top + s, left : left + s].contiguous()
        return normalize_(x) if self.normalize else x

    def __repr__(self) -> str:
        return f"EvalTransform(image_size={self.image_size}, normalize={self.normalize}, resize_ratio={self.resize_ratio})"
