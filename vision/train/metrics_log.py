"""Per-epoch metrics of a run: JSONL, CSV, a PNG of the curves and optional TensorBoard."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError

__all__ = ["MetricsLog"]

logger = logging.getLogger(__name__)


class MetricsLog:
    """Rewrites ``RUN/metrics.jsonl``, ``RUN/metrics.csv`` and ``RUN/curves.png`` from the full
    history after every epoch (atomically, so a resumed run's files match its checkpoint), and
    appends the newest record to TensorBoard (``RUN/tensorboard``) when asked.

    Args:
        run_dir: the run folder.
        tensorboard: also log to TensorBoard (needs the ``tensorboard`` package).
    """

    def __init__(self, run_dir: str | Path, tensorboard: bool = False) -> None:
        self.run_dir = Path(run_dir)
        self.writer = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as exc:
                raise InputError(
                    "--tensorboard needs the tensorboard package: pip install tensorboard "
                    f"(or drop the flag) [{exc}]"
                ) from exc
            self.writer = SummaryWriter(str(self.run_dir / "tensorboard"))

    def write(self, history: Sequence[dict[str, Any]]) -> None:
        """Write every file for ``history`` (list of per-epoch dicts)."""
        with atomic_write(self.run_dir / "metrics.jsonl") as fh:
            for rec in history:
                fh.write(json.dumps(rec, sort_keys=True) + "\n")
        keys: list[str] = []
        for rec in history:
            keys += [k for k in rec if k not in keys]
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=keys)
        w.writeheader()
        w.writerows(history)
        with atomic_write(self.run_dir / "metrics.csv") as fh:
            fh.write(buf.getvalue())
        self._plot(history)
        if self.writer is not None and history:
            rec = history[-1]
            for k, v in rec.items():
                if isinstance(v, (int, float)) and k not in ("epoch",):
                    self.writer.add_scalar(k, v, rec["epoch"])
            self.writer.flush()

    def _plot(self, history: Sequence[dict[str, Any]]) -> None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        epochs = [r["epoch"] for r in history]
        fig, axes = plt.subplots(1, 2, figsize=(10, 4))
        for key in ("train_loss", "val_loss"):
            ys = [r.get(key) for r in history]
            if any(y is not None for y in ys):
                axes[0].plot(epochs, ys, marker="o", label=key)
        axes[0].set_xlabel("epoch")
        axes[0].set_ylabel("loss")
        axes[0].legend()
        for key in ("val_f2", "val_map"):
            ys = [r.get(key) for r in history]
            if any(y is not None for y in ys):
                axes[1].plot(epochs, ys, marker="o", label=key)
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("validation metric")
        axes[1].legend()
        fig.tight_layout()
        with atomic_path(self.run_dir / "curves.png") as tmp:
            fig.savefig(tmp, format="png", dpi=80)
        plt.close(fig)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
