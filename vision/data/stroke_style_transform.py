"""``StrokeStyleTransform``: the style-shift preset plus stroke width, outline and channel
shuffle (the default training augmentation)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torchvision.transforms import v2

from vision.data.build_transform import TRANSFORMS
from vision.data.style_transform import StyleTransform

__all__ = ["StrokeStyleTransform"]


class _StrokeWidth:
    """Grey-level 3x3 erosion (thicker dark strokes on a light ground) or dilation (thinner),
    each with probability 0.5, on a uint8 ``[3, H, W]`` tensor."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        f = x.float().unsqueeze(0)
        f = -F.max_pool2d(-f, 3, 1, 1) if torch.rand(()) < 0.5 else F.max_pool2d(f, 3, 1, 1)
        return f.squeeze(0).clamp(0, 255).to(torch.uint8)


class _Outline:
    """Outline drawing: the Sobel magnitude of the grey image, normalised to its maximum,
    drawn dark on white in black (p=0.5) or in 0.6 x the image's mean colour; uint8
    ``[3, H, W]`` in and out."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        f = x.float() / 255
        g = (0.299 * f[0] + 0.587 * f[1] + 0.114 * f[2])[None, None]
        kx = torch.tensor([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]]).view(1, 1, 3, 3)
        padded = F.pad(g, (1, 1, 1, 1), mode="replicate")
        mag = (F.conv2d(padded, kx) ** 2 + F.conv2d(padded, kx.transpose(2, 3)) ** 2).sqrt()[0, 0]
        mag = (mag / mag.max().clamp_min(1e-6)).clamp(0, 1)
        ink = torch.zeros(3) if torch.rand(()) < 0.5 else f.reshape(3, -1).mean(1) * 0.6
        out = 1 - mag[None] * (1 - ink[:, None, None])
        return (out * 255).clamp(0, 255).to(torch.uint8)


class _ChannelShuffle:
    """A random permutation of the RGB channels (a cheap stand-in for a hue rotation)."""

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return x[torch.randperm(3)]


@TRANSFORMS.register(
    "style-stroke",
    help="style + stroke width (erode/dilate), outline drawing, channel shuffle (the default)",
)
class StrokeStyleTransform(StyleTransform):
    """:class:`~vision.data.style_transform.StyleTransform` with three more steps drawn after
    the flip (step 2), on uint8 pixels:

    * stroke width: 3x3 grey-level erosion or dilation (even odds), p=``stroke_p`` (0.3);
    * outline drawing: the Sobel edge map drawn dark on white, p=``outline_p`` (0.15);
    * channel shuffle: a random permutation of R, G, B, p=``shuffle_p`` (0.2).

    Measured on the emoji splits (README, "Style shift"): the default of ``vision train``.
    Output float32 ``[3, image_size, image_size]`` as every preset.
    """

    def __init__(
        self,
        image_size: int = 64,
        normalize: bool = True,
        stroke_p: float = 0.3,
        outline_p: float = 0.15,
        shuffle_p: float = 0.2,
    ) -> None:
        super().__init__(image_size, normalize)
        self.stroke_p, self.outline_p, self.shuffle_p = stroke_p, outline_p, shuffle_p
        extra: list[Any] = [
            v2.RandomApply([_StrokeWidth()], p=stroke_p),
            v2.RandomApply([_Outline()], p=outline_p),
            v2.RandomApply([_ChannelShuffle()], p=shuffle_p),
        ]
        steps = list(self._pipeline.transforms)
        self._pipeline = v2.Compose([*steps[:2], *extra, *steps[2:]])

    def __repr__(self) -> str:
        return (
            f"StrokeStyleTransform(image_size={self.image_size}, normalize={self.normalize}, "
            f"stroke_p={self.stroke_p}, outline_p={self.outline_p}, shuffle_p={self.shuffle_p})"
        )
