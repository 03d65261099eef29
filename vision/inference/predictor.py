"""Run a model over a folder of images: probabilities and features, with TTA and a progress bar.

Memory: the probabilities of every image are written into one float32 ``[N, L]`` array as
the batches come (no list of per-batch arrays joined at the end), and the TTA views of a batch
are summed in place. ``amp`` runs the forward passes under autocast (``--amp``) and
``channels_last`` feeds NHWC batches, as in training (``vision.train.mixed_precision``,
``vision.train.device``).

Missing or undecodable images do not stop a prediction: every file is decoded once by the
shared :class:`~vision.data.ImageDecoder` (:meth:`ImageFolderDataset.read_batches`); those
that fail are returned in ``bad`` (the reason names the file) so the caller can report them
and give them a fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from vision.adapt.knn_transfer import pixel_vectors
from vision.data import ImageDecoder, ImageFolderDataset, build_transform
from vision.inference.tta import TestTimeAugmentation, create_tta, tta_outputs
from vision.resolve_device import resolve_device
from vision.train.device import place_batch, place_model
from vision.train.mixed_precision import MixedPrecision

__all__ = ["Predictions", "Predictor"]

logger = logging.getLogger(__name__)


@dataclass
class Predictions:
    """Outputs for the images that could be read.

    Attributes:
        image_ids: ``[N]`` ids, in request order minus the bad ones.
        probs: ``[N, L]`` float32 mean sigmoid probabilities over the TTA views.
        features: ``[N, F]`` float32 mean backbone features over the views.
        pixels: ``[N, 3 * 16 * 16]`` pixel vectors of the un-augmented images (kNN ``pixels``).
        bad: ``(image id, reason)`` for images that were missing or could not be decoded.
    """

    image_ids: list[str]
    probs: np.ndarray
    features: np.ndarray
    bad: list[tuple[str, str]] = field(default_factory=list)
    pixels: np.ndarray | None = None


class Predictor:
    """Batched inference of a ``MultiLabelClassifier`` on image folders.

    Args:
        model: ``forward_features`` / ``forward_head`` model (put in eval mode here).
        image_size: the side the model was trained at (pixels).
        tta: a TTA name (``none``, ``flip``, ``crops``, ``flip+crops``: ``list_tta()``) or object.
        batch_size: images per forward pass (default 64).
        device: ``cpu`` (default), ``cuda``, ``cuda:N``, ``mps`` or ``auto``
            (:func:`vision.resolve_device.resolve_device`).
        progress: show a tqdm bar on stderr.
        normalize: ImageNet standardisation in the eval transform (must match training).
        decoder: the :class:`~vision.data.ImageDecoder` (e.g. its ``max_image_pixels``).
        amp: mixed precision of the forward passes (``off``, ``auto``, ``bf16``, ``fp16``;
            default off: the probabilities are then exactly those of float32).
        channels_last: NHWC weights and batches (same values, faster convolutions on GPUs).
    """

    def __init__(
        self,
        model: nn.Module,
        image_size: int,
        tta: str | TestTimeAugmentation = "none",
        batch_size: int = 64,
        device: str = "cpu",
        progress: bool = True,
        normalize: bool = True,
        decoder: ImageDecoder | None = None,
        *,
        amp: bool | str = False,
        channels_last: bool = False,
    ) -> None:
        self.decoder = decoder or ImageDecoder()
        self.device = resolve_device(device)
        self.channels_last = bool(channels_last)
        self.model = place_model(model, self.device, self.channels_last).eval()
        self.precision = MixedPrecision.of(amp, self.device)
        self.image_size = int(image_size)
        self.tta = create_tta(tta) if isinstance(tta, str) else tta
        self.batch_size = int(batch_size)
        self.progress = progress
        self.transform = build_transform("eval", self.image_size, normalize=normalize)

    def dataset(
        self, images_dir: str | Path, image_ids: Sequence[str] | None
    ) -> ImageFolderDataset:
        """The eval dataset (missing files listed in ``.bad``; nothing checked up front: the
        decode failures are found by :meth:`ImageFolderDataset.read_batches`)."""
        return ImageFolderDataset(
            images_dir,
            image_ids,
            transform=self.transform,
            image_size=self.image_size,
            check_images="none",
            max_bad_fraction=1.0,
            decoder=self.decoder,
            progress=self.progress,
        )

    @torch.no_grad()
    def predict_tensor(self, images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """``(probs [N, L], features [N, F])`` for already-transformed images ``[N, 3, H, W]``."""
        probs, feats = [], []
        for start in range(0, len(images), self.batch_size):
            p, f = self._outputs(images[start : start + self.batch_size])
            probs.append(p.cpu().numpy())
            feats.append(f.cpu().numpy())
        if not probs:
            return np.zeros((0, 0), np.float32), np.zeros((0, 0), np.float32)
        return np.concatenate(probs), np.concatenate(feats)

    @torch.no_grad()
    def predict_folder(
        self, images_dir: str | Path, image_ids: Sequence[str] | None = None, desc: str = "predict"
    ) -> Predictions:
        """Predict every readable image of ``image_ids`` (default: the whole folder)."""
        ds = self.dataset(images_dir, image_ids)
        bad = list(ds.bad)
        ids: list[str] = []
        n_labels = int(self.model.num_labels)
        probs = np.empty((len(ds), n_labels), dtype=np.float32)  # filled batch by batch
        feats, pixels = [], []
        n = 0
        batches = ds.read_batches(self.batch_size, bad)
        n_batches = -(-len(ds) // self.batch_size)
        for items, images in tqdm(
            batches, desc=desc, unit="batch", total=n_batches, disable=not self.progress
        ):
            p, f = self._outputs(images)
            probs[n : n + len(p)] = p.cpu().numpy()
            n += len(p)
            feats.append(f.cpu().numpy())
            pixels.append(pixel_vectors(images))
            ids.extend(ds.image_ids[i] for i in items)
        f_all = np.concatenate(feats) if feats else np.zeros((0, 0), np.float32)
        x_all = np.concatenate(pixels) if pixels else np.zeros((0, 0), np.float32)
        return Predictions(ids, probs[:n], f_all, bad, x_all)

    def _outputs(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean probabilities ``[B, L]`` and features ``[B, F]`` (float32) over the TTA views
        of one batch, under this predictor's autocast and memory format."""
        x = place_batch(images, self.device, self.channels_last)
        with self.precision.autocast():
            return tta_outputs(self.model, x, self.tta)
