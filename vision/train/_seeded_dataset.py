"""Wraps a dataset so that item ``i`` of epoch ``e`` always sees the same random draws."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["SeededDataset"]


class SeededDataset(Dataset):
    """``ds[i]`` computed with python/numpy/torch RNGs seeded from ``(seed, epoch, i)``.

    Augmentation then depends only on the sample and the epoch, not on worker count, rank,
    batch position or on where a resumed run restarted; the caller's RNG states are restored
    afterwards so the wrapper never perturbs the training process's own streams.
    """

    def __init__(self, dataset: Any, seed: int) -> None:
        self.dataset = dataset
        self.seed = int(seed)
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int) -> Any:
        s = (self.seed * 1_000_003 + self.epoch * 7_919 + int(i) * 104_729) % (2**31 - 1)
        py = random.getstate()
        npst = np.random.get_state()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s)
            random.seed(s)
            np.random.seed(s)
            try:
                return self.dataset[i]
            finally:
                random.setstate(py)
                np.random.set_state(npst)
