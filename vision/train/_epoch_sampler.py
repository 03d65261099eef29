"""Per-epoch shuffled, rank-sharded sample order that can start in the middle of an epoch."""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler

__all__ = ["EpochSampler"]


class EpochSampler(Sampler[int]):
    """Like ``DistributedSampler``: the order of epoch ``e`` is a permutation drawn from
    ``seed + e`` (identical on every rank), padded to a multiple of ``num_replicas`` and split
    by rank (``order[rank::num_replicas]``). ``start`` skips the first samples of this rank's
    share, which is how a run resumed mid-epoch continues exactly where it stopped.
    """

    def __init__(
        self,
        num_samples: int,
        num_replicas: int = 1,
        rank: int = 0,
        seed: int = 0,
        shuffle: bool = True,
    ) -> None:
        self.n = int(num_samples)
        self.num_replicas = int(num_replicas)
        self.rank = int(rank)
        self.seed = int(seed)
        self.shuffle = shuffle
        self.epoch = 0
        self.start = 0
        self.per_rank = -(-self.n // self.num_replicas) if self.n else 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.epoch = int(epoch)
        self.start = int(start)

    def indices(self) -> list[int]:
        """This rank's full share of the epoch, ignoring ``start``."""
        if self.shuffle:
            g = torch.Generator().manual_seed(self.seed + self.epoch)
            order = torch.randperm(self.n, generator=g).tolist()
        else:
            order = list(range(self.n))
        total = self.per_rank * self.num_replicas
        if order:
            order += order[: total - len(order)]
        return order[self.rank : total : self.num_replicas]

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices()[self.start :])

    def __len__(self) -> int:
        return max(self.per_rank - self.start, 0)
