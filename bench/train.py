"""Training throughput of the heads: images/s for linear, gcn and rerank on one backbone.

Measures, in one run and interleaved (so machine noise hits every head alike), the median
time of a full training step (forward, loss, backward, AdamW step) of resnet18 at 64 px,
batch 64, for the ``linear``, ``gcn`` and ``rerank`` heads with 429 labels (the emoji
benchmark's size) and 7,178 labels (Open Images trainable classes), each graph synthetic with
~20 edges per label (``LabelGraph.from_edges``) and 300-d embeddings (5% missing). Prints
images/s and the overhead of each graph head relative to ``linear`` at the same label count,
plus loader-only images/s (decode + augmentation of 64 px PNGs) for 0 and N workers, with the
``train`` preset and, relative to it, the ``style`` preset (``vision train --augment style``).

Threads: images/s of full training steps (``linear`` head; by default ``compact_cnn`` at 32 px,
batch 32, the demo's model) at 1 torch thread, at torch's own default (what it picks at start,
before anything sets it) and at the default every ``vision`` command chooses
(``corpora.cli_common.choose_threads``: usable CPUs minus loader workers, minus one left to
other processes), interleaved, printed as ratios to the 1-thread rate.

    python bench/train.py                       # defaults: 3 timed steps per config
    python bench/train.py --steps 5 --device cuda
    python bench/train.py --sections threads    # the thread comparison only
Targets: graph-head overhead <= 10% at 429 labels and <= 20% at 7,178 labels.

On a shared, busy machine whole-step medians are noisy; the minimum over repetitions and the
head-alone timings (many cheap repetitions, interleaved) estimate the uncontended cost better,
so all three are printed.

``--sections plain`` (issue #15, GPU target): images/s of ``vision train``'s training step
(:meth:`vision.train.Trainer.train_step`: the trainer's model, loss, optimizer, autocast,
gradient scaler, channels_last, schedule) next to a hand-written minimal PyTorch loop (the
same model architecture, AdamW, BCE-with-logits, the same autocast dtype, GradScaler where
fp16, channels_last) in the same run, on the same device-resident batch (data loading is
``bench/data.py``'s part), interleaved in blocks; the ratio's target is >= 0.95 on a GPU::

    python bench/train.py --sections plain --device cuda --amp auto --channels-last
    python bench/train.py --sections plain --plain-backbone test_resnet --plain-sizes 32 \
        --plain-batch 8 --plain-steps 4 --plain-labels 500      # CPU: the ratio code at tiny size

Both sides run without gradient clipping (``--clip-grad 0``) and without EMA.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from corpora.cli_common import choose_threads, usable_cpus
from vision.losses import create_loss
from vision.models import GraphInputs, MultiLabelClassifier

#: what torch picks before anything sets it (OMP_NUM_THREADS when set, else its CPU count)
TORCH_DEFAULT_THREADS = torch.get_num_threads()


def synthetic_graph(num_labels: int, edges_per_label: int, dim: int, seed: int = 0) -> GraphInputs:
    from labelgraph import LabelGraph

    rng = np.random.default_rng(seed)
    codes = [f"/m/{i:06d}" for i in range(num_labels)]
    m = num_labels * edges_per_label // 2  # undirected: each appears twice in edge_index
    rows = rng.integers(0, num_labels, m)
    cols = rng.integers(0, num_labels, m)
    keep = rows != cols
    emb = rng.standard_normal((num_labels, dim)).astype(np.float32)
    missing = rng.random(num_labels) < 0.05
    emb[missing] = 0
    g = LabelGraph.from_edges(
        codes,
        codes,
        edges={
            "combined": (rows[keep], cols[keep], rng.random(int(keep.sum())).astype(np.float32))
        },
        embeddings=emb,
        missing=missing,
    )
    return GraphInputs.from_label_graph(g, codes)


def time_steps(models, steps: int, batch: int, size: int, device: torch.device) -> dict:
    x = torch.randn(batch, 3, size, size, device=device)
    loss_fn = create_loss("bce")
    opts = {k: torch.optim.AdamW(m.parameters(), lr=1e-4) for k, m in models.items()}
    times: dict = {k: [] for k in models}
    for rep in range(steps + 1):  # the first round is warm-up
        for key, model in models.items():
            y = (torch.rand(batch, model.num_labels, device=device) < 0.01).float()
            if device.type == "cuda":
                torch.cuda.synchronize()
            t = time.perf_counter()
            loss = loss_fn(model(x), y)
            opts[key].zero_grad(set_to_none=True)
            loss.backward()
            opts[key].step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if rep > 0:
                times[key].append(time.perf_counter() - t)
    return times


def time_heads(models, reps: int, batch: int, device: torch.device) -> dict:
    """Seconds of forward + backward + AdamW step of the heads alone on fixed features,
    interleaved across heads (cheap, so many repetitions)."""
    loss_fn = create_loss("bce")
    times: dict = {k: [] for k in models}
    state = {}
    for key, model in models.items():
        head = model.head
        f = torch.randn(batch, head.num_features, device=device)
        y = (torch.rand(batch, head.num_labels, device=device) < 0.01).float()
        state[key] = (head, f, y, torch.optim.AdamW(head.parameters(), lr=1e-4))
    for rep in range(reps + 2):
        for key, (head, f, y, opt) in state.items():
            if device.type == "cuda":
                torch.cuda.synchronize()
            t = time.perf_counter()
            loss = loss_fn(head(f), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if rep >= 2:
                times[key].append(time.perf_counter() - t)
    return times


def loader_throughput(
    size: int, batch: int, workers: int, n_images: int, data: str | None, augment: str = "train"
) -> float:
    from PIL import Image
    from torch.utils.data import DataLoader

    from vision.data import ImageFolderDataset, build_transform

    with tempfile.TemporaryDirectory() as tmp:
        if data is None:
            rng = np.random.default_rng(0)
            for i in range(n_images):
                arr = rng.integers(0, 255, (size, size, 4), dtype=np.uint8)
                Image.fromarray(arr, "RGBA").save(Path(tmp) / f"im{i:05d}.png")
            images_dir, ids = tmp, None
        else:
            images_dir = data
            ids = sorted(p.stem for p in Path(data).iterdir())[:n_images]
        ds = ImageFolderDataset(
            images_dir,
            ids,
            transform=build_transform(augment, size),
            image_size=size,
            progress=False,
        )
        dl = DataLoader(ds, batch_size=batch, shuffle=True, num_workers=workers)
        t = time.perf_counter()
        n = 0
        for images, _, _ in dl:
            n += len(images)
        return n / (time.perf_counter() - t)


def time_threads(
    settings: dict[str, int], backbone: str, size: int, batch: int, steps: int, labels: int
) -> dict[str, list[float]]:
    """Seconds of full training steps (linear head) per thread setting, interleaved: each
    round runs one step per setting (the first round is warm-up)."""
    torch.manual_seed(0)
    margs = {
        "backbone": backbone,
        "backbone_kwargs": {},
        "head": "linear",
        "head_kwargs": {},
        "num_labels": labels,
    }
    model = MultiLabelClassifier.from_args(margs, None).train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
    loss_fn = create_loss("bce")
    x = torch.randn(batch, 3, size, size)
    y = (torch.rand(batch, labels) < 0.02).float()
    times: dict[str, list[float]] = {k: [] for k in settings}
    for rep in range(steps + 1):
        for key, n in settings.items():
            torch.set_num_threads(n)
            t = time.perf_counter()
            loss = loss_fn(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if rep > 0:
                times[key].append(time.perf_counter() - t)
    return times


def threads_section(args: argparse.Namespace) -> None:
    chosen, why = choose_threads(None, workers=0, use_env=False)
    settings = {
        "1 thread": 1,
        f"torch default ({TORCH_DEFAULT_THREADS})": TORCH_DEFAULT_THREADS,
        f"chosen default ({chosen})": chosen,
    }
    print(
        f"\nthreads: {args.threads_backbone} at {args.threads_image_size} px, batch "
        f"{args.threads_batch_size}, linear head, {args.threads_labels} labels; median of "
        f"{args.threads_steps} interleaved steps; {usable_cpus()} usable CPUs; chosen default: "
        f"{chosen} ({why}); load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    times = time_threads(
        settings,
        args.threads_backbone,
        args.threads_image_size,
        args.threads_batch_size,
        args.threads_steps,
        args.threads_labels,
    )
    base = args.threads_batch_size / statistics.median(times["1 thread"])
    seen: dict[int, str] = {}
    for key, n in settings.items():
        rate = args.threads_batch_size / statistics.median(times[key])
        same = f"  (same count as {seen[n]}: the difference is noise)" if n in seen else ""
        seen.setdefault(n, key)
        print(f"  {key:22s} {rate:8.1f} images/s  {rate / base:5.2f}x 1 thread{same}")
    print("  load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


def _plain_model(backbone: str, num_labels: int, seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    margs = {
        "backbone": backbone,
        "backbone_kwargs": {},
        "head": "linear",
        "head_kwargs": {},
        "num_labels": num_labels,
    }
    return MultiLabelClassifier.from_args(margs, None)


class _PlainLoop:
    """A hand-written minimal training loop: model, AdamW, BCE-with-logits, autocast,
    GradScaler where fp16, channels_last; nothing else."""

    def __init__(self, model, device, dtype, channels_last, lr=1e-3):
        self.device = device
        self.dtype = dtype
        self.model = model.to(device)
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.model.train()
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=lr, weight_decay=1e-4)
        self.scaler = torch.amp.GradScaler(device.type, enabled=dtype == torch.float16)
        self.loss_fn = torch.nn.BCEWithLogitsLoss()

    def step(self, x, y):
        with torch.autocast(self.device.type, dtype=self.dtype, enabled=self.dtype is not None):
            logits = self.model(x)
        loss = self.loss_fn(logits.float(), y)
        self.opt.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.opt)
        self.scaler.update()


def _trainer_for(backbone, num_labels, size, batch, device, amp, channels_last, tmp, seed):
    """A :class:`vision.train.Trainer` on an in-memory data set (no files read)."""
    import scipy.sparse as sp

    from vision.train import TrainConfig, Trainer
    from vision.train.training_data import TrainingData

    class _Random(torch.utils.data.Dataset):
        def __len__(self):
            return 4 * batch

        def __getitem__(self, i):
            return torch.zeros(3, size, size), torch.zeros(num_labels), torch.ones(num_labels)

    codes = [f"/m/{j:06d}" for j in range(num_labels)]
    cfg = TrainConfig(
        data=str(tmp), out=str(Path(tmp) / "run"), backbone=backbone, head="linear",
        image_size=size, batch_size=batch, epochs=1, val_fraction=0.0, device=str(device),
        amp=amp, channels_last=channels_last, clip_grad=None, quiet=True, seed=seed,
        warmup_epochs=0.0,
    )  # fmt: skip
    data = TrainingData(codes, codes, _Random(), None, sp.csr_matrix((4 * batch, num_labels)))
    return Trainer(cfg, data)


def _interleaved_rates(
    runs: dict, blocks: int, steps: int, device: torch.device
) -> dict[str, list[float]]:
    """Steps per second of each callable in ``runs``, ``blocks`` timed blocks of ``steps``
    calls each, the callables alternating block by block (block 0 warms up: cuDNN
    autotuning, allocator)."""
    rates: dict[str, list[float]] = {k: [] for k in runs}
    for block in range(blocks + 1):
        for name, step in runs.items():
            if device.type == "cuda":
                torch.cuda.synchronize()
            t = time.perf_counter()
            for _ in range(steps):
                step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            if block:
                rates[name].append(steps / (time.perf_counter() - t))
    return rates


def plain_comparison(args: argparse.Namespace, device: torch.device) -> None:
    """Trainer.train_step vs the hand-written loop, images/s and their ratio per size."""
    from vision.train.mixed_precision import MixedPrecision

    precision = MixedPrecision.of(args.amp, device)
    print(
        f"\nvision train's step vs a hand-written PyTorch loop: {args.plain_backbone}, "
        f"{args.plain_labels} labels, batch {args.plain_batch}, {device}, amp "
        f"{precision.describe()}, channels_last {args.channels_last}; {args.plain_steps} steps "
        f"per block, {args.plain_blocks} blocks each, interleaved (median of blocks)"
    )
    if device.type == "cpu":
        print("  (CPU: shows that the comparison runs; the >= 0.95 target is for a GPU)")
    print("  size   trainer img/s   plain img/s   ratio")
    for size in args.plain_sizes:
        gen = torch.Generator().manual_seed(0)
        x = torch.randn(args.plain_batch, 3, size, size, generator=gen).to(device)
        if args.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        y = (torch.rand(args.plain_batch, args.plain_labels, generator=gen) < 0.002).float()
        y, mask = y.to(device), torch.ones_like(y)
        with tempfile.TemporaryDirectory() as tmp:
            trainer = _trainer_for(args.plain_backbone, args.plain_labels, size,
                                   args.plain_batch, device, args.amp, args.channels_last, tmp,
                                   seed=0)  # fmt: skip
            plain = _PlainLoop(_plain_model(args.plain_backbone, args.plain_labels, 0), device,
                               precision.dtype, args.channels_last)  # fmt: skip
            runs = {
                "trainer": functools.partial(trainer.train_step, x, y, mask),
                "plain": functools.partial(plain.step, x, y),
            }
            rates = _interleaved_rates(runs, args.plain_blocks, args.plain_steps, device)
        a = statistics.median(rates["trainer"]) * args.plain_batch
        b = statistics.median(rates["plain"]) * args.plain_batch
        print(f"  {size:4d}   {a:13.1f}   {b:11.1f}   {a / b:5.3f}")


def heads_section(args: argparse.Namespace, device: torch.device) -> None:
    """Graph-head overhead per label count (the original benchmark)."""
    print(
        f"\nheads: backbone {args.backbone}, {args.image_size} px, batch {args.batch_size}, "
        f"device {device}, torch threads {torch.get_num_threads()}, median of {args.steps} "
        "steps"
    )
    for n in args.labels:
        graph = synthetic_graph(n, args.edges_per_label, args.embedding_dim)
        models = {}
        for head in ("linear", "gcn", "rerank"):
            margs = {
                "backbone": args.backbone,
                "backbone_kwargs": {"stem_stride": 2},
                "head": head,
                "head_kwargs": {},
                "num_labels": n,
            }
            models[head] = MultiLabelClassifier.from_args(margs, graph).to(device).train()
        steps = time_steps(models, args.steps, args.batch_size, args.image_size, device)
        heads = time_heads(models, args.head_reps, args.batch_size, device)
        print(f"\n{n} labels, {graph.num_edges} directed edges:")
        print(
            "  head     images/s  step vs linear (median / min) | head alone ms (median / min)"
            " | head extra as share of a linear step (median / min)"
        )
        for head in models:
            med = statistics.median(steps[head])
            lo = min(steps[head])
            ov_med = med / statistics.median(steps["linear"]) - 1
            ov_min = lo / min(steps["linear"]) - 1
            h_med = statistics.median(heads[head])
            h_min = min(heads[head])
            ex_med = (h_med - statistics.median(heads["linear"])) / statistics.median(
                steps["linear"]
            )
            ex_min = (h_min - min(heads["linear"])) / min(steps["linear"])
            print(
                f"  {head:7s} {args.batch_size / med:8.1f}  {ov_med:+7.1%} / {ov_min:+7.1%}"
                f"            | {h_med * 1e3:7.1f} / {h_min * 1e3:7.1f}"
                f"          | {ex_med:+7.1%} / {ex_min:+7.1%}"
            )


def loader_section(args: argparse.Namespace) -> None:
    """Loader-only images/s for 0 and N workers, train and style presets."""
    print("\nloader only (decode + augmentation):")
    for w in sorted({0, args.workers}):
        rates = {
            preset: loader_throughput(
                args.image_size, args.batch_size, w, args.loader_images, args.loader_data, preset
            )
            for preset in ("train", "style")
        }
        print(
            f"  workers={w}: train {rates['train']:8.1f} images/s, style {rates['style']:8.1f} "
            f"images/s ({rates['style'] / rates['train']:.2f}x train)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--backbone", default="resnet18")
    ap.add_argument("--image-size", type=int, default=64)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--steps", type=int, default=3, help="timed steps per config (median)")
    ap.add_argument("--head-reps", type=int, default=10, help="timed head-only repetitions")
    ap.add_argument("--labels", type=int, nargs="+", default=[429, 7178])
    ap.add_argument("--edges-per-label", type=int, default=20)
    ap.add_argument("--embedding-dim", type=int, default=300)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--workers", type=int, default=2, help="loader workers for the loader test")
    ap.add_argument("--loader-images", type=int, default=512)
    ap.add_argument("--loader-data", default=None, help="image folder for the loader test")
    ap.add_argument(
        "--sections",
        nargs="+",
        choices=["heads", "loader", "threads", "plain"],
        default=["heads", "loader", "threads"],
        help="what to measure (default: heads loader threads; plain: vision train's step vs "
        "a hand-written loop)",
    )
    ap.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch threads of the heads and loader sections (default: the chosen default)",
    )
    ap.add_argument("--threads-backbone", default="compact_cnn")
    ap.add_argument("--threads-image-size", type=int, default=32)
    ap.add_argument("--threads-batch-size", type=int, default=32)
    ap.add_argument("--threads-labels", type=int, default=60)
    ap.add_argument("--threads-steps", type=int, default=10, help="timed steps per setting")
    ap.add_argument("--amp", default="off", help="plain section: off, auto, bf16, fp16")
    ap.add_argument("--channels-last", action="store_true", help="plain section: NHWC")
    ap.add_argument("--plain-backbone", default="resnet50")
    ap.add_argument("--plain-sizes", type=int, nargs="+", default=[128, 224])
    ap.add_argument("--plain-batch", type=int, default=64)
    ap.add_argument("--plain-labels", type=int, default=7178)
    ap.add_argument("--plain-steps", type=int, default=10, help="steps per timed block")
    ap.add_argument("--plain-blocks", type=int, default=5, help="timed blocks per side")
    args = ap.parse_args()
    from vision.resolve_device import resolve_device

    device = resolve_device(args.device)
    if "threads" in args.sections and device.type == "cpu":
        threads_section(args)
    torch.set_num_threads(choose_threads(args.threads, use_env=False)[0])
    torch.manual_seed(0)
    if "plain" in args.sections:
        plain_comparison(args, device)
    if "heads" in args.sections:
        heads_section(args, device)
    if "loader" in args.sections:
        loader_section(args)


if __name__ == "__main__":
    main()
