"""The ``style`` transform preset: the style-shift augmentation of the emoji benchmark."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import v2

from vision.data import StyleTransform, build_transform
from vision.data.build_transform import IMAGENET_MEAN, IMAGENET_STD


def _reference(image_size: int) -> v2.Compose:
    """The pipeline as bench/emoji.py wrote it before it became a preset."""
    return v2.Compose(
        [
            v2.ToImage(),
            v2.RandomResizedCrop(image_size, scale=(0.5, 1.0), antialias=True),
            v2.RandomHorizontalFlip(),
            v2.RandomApply([v2.ColorJitter(0.5, 0.5, 0.6)], p=0.8),
            v2.RandomGrayscale(p=0.2),
            v2.RandomPosterize(bits=3, p=0.3),
            v2.RandomEqualize(p=0.2),
            v2.RandomApply([v2.GaussianBlur(3, sigma=(0.1, 1.2))], p=0.3),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(IMAGENET_MEAN, IMAGENET_STD),
        ]
    )


def test_style_preset_draws_what_the_benchmark_pipeline_drew():
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (24, 20, 3), dtype=np.uint8)
    style = build_transform("style", 16)
    assert isinstance(style, StyleTransform)
    ref = _reference(16)
    for seed in range(12):  # enough draws to switch every random step on and off
        torch.manual_seed(seed)
        got = style(arr)
        torch.manual_seed(seed)
        want = ref(arr)
        assert type(got) is torch.Tensor and got.dtype == torch.float32
        assert got.shape == (3, 16, 16)
        torch.testing.assert_close(got, want.as_subclass(torch.Tensor), rtol=0, atol=0)
    torch.manual_seed(1)
    a = style(Image.fromarray(arr))
    torch.manual_seed(1)
    torch.testing.assert_close(a, style(arr), rtol=0, atol=0)  # PIL and array alike


def test_style_accepts_tensors_and_skips_normalisation_on_request():
    torch.manual_seed(0)
    x = build_transform("style", 8, normalize=False)(torch.rand(3, 12, 12))
    assert x.shape == (3, 8, 8) and 0 <= x.min() and x.max() <= 1
    u8 = build_transform("style", 8)(torch.randint(0, 256, (3, 12, 12), dtype=torch.uint8))
    assert u8.shape == (3, 8, 8)
