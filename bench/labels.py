"""Peak memory of ``vision adapt`` and ``vision predict`` at Open Images label scale.

The Inclusive Images stage-1 test set has 32,580 images and the trainable vocabulary 7,178
labels: one ``[N, L]`` float32 array is 0.94 GB, one float64 copy 1.87 GB. This script makes
a synthetic run of that size where compute is cheap (the ``test_cnn`` backbone on 32 px
images, a linear head whose biases follow a Zipf label prior), then runs, each in its own
process so that its peak resident memory (``ru_maxrss``) is its own:

* ``import``: ``python -c "import vision.cli, vision.adapt, vision.inference, torch"`` (the
  floor every command pays);
* ``adapt``: ``vision adapt --mode bias,thresholds`` on ``--tuning`` tuning images with
  ``--bias-em-images`` = the test folder (Saerens EM over the ~32k unlabeled test images'
  ``[N, L]`` probabilities, in every inner fold and the final fit). EM is capped at
  ``--em-iterations`` (default 10; the package's cap is 200, which this synthetic model
  reaches) so that the stage takes minutes: the peak is reached in the first iteration, the
  later ones repeat it;
* ``predict``: ``vision predict`` of the adapted run (prior shift + per-class thresholds +
  label-count rules) over every test image with ``--tta flip``.

It prints, per stage, wall seconds, peak RSS and the peak as a multiple of one ``[N, L]``
float32 array (the baseline of the same run): the whole peak, and the peak above the import
floor. ``--source DIR`` runs the commands from another checkout (e.g. ``main``, for the
figures before a change) with the same data::

    python bench/labels.py --work /tmp/labels-bench                     # this checkout
    git archive main | tar -x -C /tmp/main-src
    python bench/labels.py --work /tmp/labels-bench --source /tmp/main-src

The synthetic data (``--work``) is made once and reused; ``--images`` / ``--labels`` make it
smaller for a quick look.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the data is made with this checkout's vision


def _zipf_labels(rng: np.random.Generator, n: int, n_labels: int, mean: float) -> list[np.ndarray]:
    """``n`` label sets over ``n_labels`` labels, Zipf-distributed, about ``mean`` each."""
    weights = 1.0 / np.arange(1, n_labels + 1)
    weights /= weights.sum()
    counts = np.maximum(1, rng.poisson(mean, n))
    return [np.unique(rng.choice(n_labels, k, p=weights)) for k in counts]


def make_data(work: Path, n_images: int, n_labels: int, n_tuning: int, n_train: int, size: int,
              seed: int = 0) -> dict:  # fmt: skip
    """The data folder (``work/data``) and the run (``work/run``); reused when present."""
    marker = work / "made.json"
    spec = {"images": n_images, "labels": n_labels, "tuning": n_tuning, "train": n_train,
            "size": size, "seed": seed, "version": 1}  # fmt: skip
    if marker.is_file() and json.loads(marker.read_text()) == spec:
        return spec
    import torch
    from PIL import Image

    from vision.checkpoint import save_checkpoint
    from vision.models import MultiLabelClassifier

    rng = np.random.default_rng(seed)
    data = work / "data"
    (data / "train").mkdir(parents=True, exist_ok=True)
    (data / "test").mkdir(parents=True, exist_ok=True)
    codes = [f"/m/b{j:06d}" for j in range(n_labels)]
    (data / "class-descriptions.csv").write_text(
        "".join(f"{c},label {j}\n" for j, c in enumerate(codes))
    )
    (data / "classes-trainable.csv").write_text("".join(f"{c}\n" for c in codes))
    rows = ["ImageID,Source,LabelName,Confidence"]
    freq = np.zeros(n_labels)
    for i, labels in enumerate(_zipf_labels(rng, n_train, n_labels, 5.0)):
        rows.extend(f"tr{i:07d},verification,{codes[j]},1" for j in labels)
        freq[labels] += 1.0 / n_train
    (data / "train_human_labels.csv").write_text("\n".join(rows) + "\n")
    ids = [f"te{i:07d}" for i in range(n_images)]
    for k, image_id in enumerate(ids):
        arr = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        Image.fromarray(arr).save(data / "test" / f"{image_id}.png", compress_level=1)
        if k % 5000 == 0:
            print(f"  wrote {k} / {n_images} test images", file=sys.stderr)
    tuning = _zipf_labels(rng, n_tuning, n_labels, 4.0)
    (data / "tuning_labels.csv").write_text(
        "".join(f'{ids[i]},"{" ".join(codes[j] for j in t)}"\n' for i, t in enumerate(tuning))
    )
    (data / "sample_submission.csv").write_text(
        "image_id,labels\n" + "".join(f"{i},\n" for i in ids)
    )
    # a run: test_cnn + linear head whose logits have an image-dependent part of standard
    # deviation 2.5 around a bias that makes the mean probability of each label its training
    # frequency, like a trained model's: most labels near 0 for most images, a few high ones
    from vision.adapt import load_images

    margs = {"backbone": "test_cnn", "backbone_kwargs": {}, "head": "linear", "head_kwargs": {},
             "num_labels": n_labels}  # fmt: skip
    torch.manual_seed(seed)
    model = MultiLabelClassifier.from_args(margs, None).eval()
    prior = np.clip(freq, 1e-6, 0.5)
    sample, _, _ = load_images(data / "test", ids[:256], size, True)
    last = model.head.last_layer()
    with torch.no_grad():
        feats = model.forward_features(sample)
        mu = feats.mean(0)
        spread = float(((feats - mu) @ last.weight.T).std())
        last.weight.mul_(2.5 / spread)
        # E[sigmoid(b + 2.5 x)] ~ sigmoid(b) exp(2.5^2 / 2) for small priors
        bias = (
            np.log(prior / (1 - prior)) - 2.5**2 / 2 * (prior < 0.05) - (last.weight @ mu).numpy()
        )
        last.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    run = work / "run"
    run.mkdir(parents=True, exist_ok=True)
    save_checkpoint(
        {
            "model_args": margs,
            "model": model.state_dict(),
            "train_model": None,
            "ema_state": None,
            "graph": None,
            "graph_digest": "identity",
            "labels": {"codes": codes, "names": [f"label {j}" for j in range(n_labels)]},
            "image_size": size,
            "normalize": True,
            "threshold": 0.3,
            "metrics": {},
            "history": [],
            "epoch": 1,
            "step": 1,
            "config": {"data": str(data), "label_policy": "seed"},
        },
        run / "best.pt",
    )
    (run / "config.yaml").write_text(f"data: {data}\nlabel-policy: seed\nimage-size: {size}\n")
    marker.write_text(json.dumps(spec))
    return spec


def run_stage(argv: list[str], source: Path, cwd: Path) -> tuple[float, float, int]:
    """Run ``python argv`` from ``source``; ``(wall seconds, peak RSS in MiB, exit status)``."""
    env = {**os.environ, "PYTHONPATH": str(source), "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *argv], cwd=cwd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t, usage.ru_maxrss / 1024.0, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--work", required=True, help="folder for the synthetic data and runs")
    ap.add_argument("--source", default=str(REPO), help="checkout whose code runs (PYTHONPATH)")
    ap.add_argument("--images", type=int, default=32580, help="test images (default 32,580)")
    ap.add_argument("--labels", type=int, default=7178, help="labels (default 7,178)")
    ap.add_argument("--tuning", type=int, default=1000, help="tuning images (default 1,000)")
    ap.add_argument("--train-images", type=int, default=20000, help="training label rows' images")
    ap.add_argument("--image-size", type=int, default=32)
    ap.add_argument("--inner-folds", type=int, default=2, help="vision adapt --inner-folds")
    ap.add_argument("--em-iterations", type=int, default=10, help="EM cap (0: the package's)")
    ap.add_argument("--tta", default="flip")
    ap.add_argument("--stages", default="import,adapt,predict")
    args = ap.parse_args()
    work, source = Path(args.work).resolve(), Path(args.source).resolve()
    work.mkdir(parents=True, exist_ok=True)
    make_data(work, args.images, args.labels, args.tuning, args.train_images, args.image_size)
    data, run, adapted = work / "data", work / "run", work / "run-adapted"
    commit = subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    one = args.images * args.labels * 4 / 2**20
    print(
        f"source {source} ({commit or 'not a git checkout'}); {args.images} test images x "
        f"{args.labels} labels; one [N, L] float32 = {one:.0f} MiB; {args.tuning} tuning images; "
        f"{args.image_size} px; EM cap {args.em_iterations or 'default'}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    adapt_argv = ["adapt", "--run", str(run), "--tuning-labels", str(data / "tuning_labels.csv"),
                  "--images", str(data / "test"), "--mode", "bias,thresholds", "--train-data",
                  str(data), "--bias-em-images", str(data / "test"), "--inner-folds",
                  str(args.inner_folds), "--out", str(adapted), "--quiet"]  # fmt: skip
    cap = (
        "import functools, vision.adapt.modes.bias_mode as b; "
        f"b.em_priors = functools.partial(b.em_priors, max_iter={args.em_iterations}); "
        if args.em_iterations
        else ""
    )
    stages = {
        "import": ["-c", "import torch, vision.cli, vision.adapt, vision.inference"],
        "adapt": ["-c", f"import sys; {cap}from vision.cli import main; "
                  f"sys.exit(main({adapt_argv!r}))"],
        "predict": ["-m", "vision", "predict", "--run", str(adapted), "--images",
                    str(data / "test"), "--sample-submission",
                    str(data / "sample_submission.csv"), "--out",
                    str(work / "submission.csv"), "--tta", args.tta, "--quiet"],
    }  # fmt: skip
    floor = None
    print(f"\n  {'stage':8s} {'seconds':>8s} {'peak RSS MiB':>12s} {'x [N,L] f32':>12s} "
          f"{'above import, x [N,L] f32':>26s}")  # fmt: skip
    for name in args.stages.split(","):
        seconds, peak, rc = run_stage(stages[name], source, work)
        if name == "import":
            floor = peak
        above = "" if floor is None or name == "import" else f"{(peak - floor) / one:26.2f}"
        status = "" if rc == 0 else f"  (exit status {rc})"
        print(f"  {name:8s} {seconds:8.1f} {peak:12.0f} {peak / one:12.2f} {above}{status}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
