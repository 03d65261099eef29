"""Learning-rate factor: linear warmup, then cosine decay."""

from __future__ import annotations

import math

__all__ = ["WarmupCosine"]


class WarmupCosine:
    """Multiplier of the base lr at optimizer step ``s`` (for ``torch.optim.lr_scheduler.LambdaLR``).

    ``(s + 1) / warmup`` for ``s < warmup``; then ``min_ratio + (1 - min_ratio) *
    0.5 * (1 + cos(pi * t))`` with ``t = (s - warmup) / (total - warmup)`` clipped to [0, 1].
    """

    def __init__(self, warmup_steps: int, total_steps: int, min_ratio: float = 0.01) -> None:
        self.warmup_steps = int(warmup_steps)
        self.total_steps = max(int(total_steps), 1)
        self.min_ratio = float(min_ratio)

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return (step + 1) / self.warmup_steps
        span = max(self.total_steps - self.warmup_steps, 1)
        t = min(max((step - self.warmup_steps) / span, 0.0), 1.0)
        return self.min_ratio + (1 - self.min_ratio) * 0.5 * (1 + math.cos(math.pi * t))
