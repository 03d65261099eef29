"""Schedule, sampler, seeded augmentation and RNG capture."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from vision.train._epoch_sampler import EpochSampler
from vision.train._rng import capture_rng_state, restore_rng_state
from vision.train._seeded_dataset import SeededDataset
from vision.train.ema import ModelEma
from vision.train.warmup_cosine import WarmupCosine


def test_warmup_cosine_values():
    s = WarmupCosine(warmup_steps=4, total_steps=14, min_ratio=0.1)
    assert [s(i) for i in range(4)] == pytest.approx([0.25, 0.5, 0.75, 1.0])
    assert s(4) == pytest.approx(1.0)
    assert s(9) == pytest.approx(0.1 + 0.9 * 0.5)  # half way through the cosine
    assert s(14) == pytest.approx(0.1) and s(100) == pytest.approx(0.1)


def test_epoch_sampler_shards_cover_and_resume_offset():
    shards = [EpochSampler(10, 3, r, seed=5) for r in range(3)]
    for sh in shards:
        sh.set_epoch(2)
    got = [list(sh) for sh in shards]
    assert all(len(g) == 4 for g in got)
    assert set(sum(got, [])) == set(range(10))
    again = EpochSampler(10, 3, 1, seed=5)
    again.set_epoch(2, start=2)
    assert list(again) == got[1][2:] and len(again) == 2
    other = EpochSampler(10, 3, 1, seed=5)
    other.set_epoch(3)
    assert list(other) != got[1]


class _RandomItems:
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return torch.rand(1).item(), random.random(), float(np.random.rand())


def test_seeded_dataset_depends_on_epoch_and_index_only_and_restores_rng():
    ds = SeededDataset(_RandomItems(), seed=1)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = ds[3]
    assert torch.rand(1) == before  # the caller's stream is untouched
    torch.manual_seed(999)
    assert ds[3] == a
    ds.set_epoch(1)
    assert ds[3] != a


def test_rng_capture_restore_round_trip():
    state = capture_rng_state()
    x = (random.random(), np.random.rand(), torch.rand(1).item())
    restore_rng_state(state)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == x


def test_ema_tracks_weights():
    m = torch.nn.Linear(2, 1)
    ema = ModelEma(m, decay=0.5)
    with torch.no_grad():
        m.weight.add_(1.0)
    ema.update(m)  # first update: d = min(0.5, 1/10) = 0.1
    w0 = m.weight - 1.0
    torch.testing.assert_close(ema.module.weight, 0.1 * w0 + 0.9 * m.weight)
