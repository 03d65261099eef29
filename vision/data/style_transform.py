"""``StyleTransform``: a strong augmentation preset aimed at an art-style shift."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torchvision.transforms import v2

from vision.data._tensor_image import IMAGENET_MEAN, IMAGENET_STD
from vision.data.build_transform import TRANSFORMS

__all__ = ["StyleTransform"]


@TRANSFORMS.register("style", help="style-shift augmentation: strong colour, posterize, blur")
class StyleTransform:
    """Augmentation for training across a change of drawing style (``vision train --augment
    style``), applied in this order on uint8 pixels, each step drawn independently:

    1. random resized crop to ``image_size``: area ``U(0.5, 1)``, aspect ``(3/4, 4/3)``
       log-uniform, antialiased;
    2. horizontal flip, p=0.5;
    3. colour jitter with p=0.8: brightness and contrast ``U(0.5, 1.5)``, saturation
       ``U(0.4, 1.6)`` (no hue: 4x slower on CPU);
    4. greyscale, p=0.2;
    5. posterize to 3 bits, p=0.3;
    6. histogram equalisation, p=0.2;
    7. Gaussian blur, 3x3 kernel, sigma ``U(0.1, 1.2)``, p=0.3;
    8. scale to ``[0, 1]``, then (``normalize=True``) standardise with the ImageNet mean/std.

    Randomness comes from torch's global generator (the trainer seeds it per sample).
    Input: PIL image, uint8 ``[H, W, 3]`` array or ``[3, H, W]`` tensor (uint8, or float in
    ``[0, 1]``, which is quantised to uint8 first); output float32
    ``[3, image_size, image_size]``.
    """

    def __init__(self, image_size: int = 64, normalize: bool = True) -> None:
        self.image_size = int(image_size)
        self.normalize = bool(normalize)
        steps: list[Any] = [
            v2.RandomResizedCrop(self.image_size, scale=(0.5, 1.0), antialias=True),
            v2.RandomHorizontalFlip(),
            v2.RandomApply([v2.ColorJitter(0.5, 0.5, 0.6)], p=0.8),
            v2.RandomGrayscale(p=0.2),
            v2.RandomPosterize(bits=3, p=0.3),
            v2.RandomEqualize(p=0.2),
            v2.RandomApply([v2.GaussianBlur(3, sigma=(0.1, 1.2))], p=0.3),
            v2.ToDtype(torch.float32, scale=True),
        ]
        if self.normalize:
            steps.append(v2.Normalize(IMAGENET_MEAN, IMAGENET_STD))
        self._pipeline = v2.Compose(steps)

    def __call__(self, image: Any) -> torch.Tensor:
        if isinstance(image, np.ndarray):
            image = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)
        elif isinstance(image, torch.Tensor) and image.dtype != torch.uint8:
            image = (image.float() * 255).round_().clamp_(0, 255).to(torch.uint8)
        return self._pipeline(v2.functional.to_image(image)).as_subclass(torch.Tensor)

    def __repr__(self) -> str:
        return f"StyleTransform(image_size={self.image_size}, normalize={self.normalize})"
