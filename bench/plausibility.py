"""Cost of plausibility-aware decoding at Open Images scale, against predict in the same run.

Synthetic data of the competition's size (32,580 test images x 7,178 labels): probabilities
like a trained model's (``test_cnn`` at 32 px with a linear head whose biases follow a Zipf
label prior, as in ``bench/labels.py``) and a label graph with ``--degree`` PMI edges per label
(hubs drawn by the same prior; the emoji graph built from the 65 M-word corpus has 59). It
times, in this process:

* ``predict``: ``Predictor.predict_folder`` (PNG decoding, ``--tta flip`` forward passes) on
  ``--sample`` random images written to a temporary folder, extrapolated to every test image:
  the floor of ``vision predict``'s time (the cheapest backbone of the package, 32 px);
* ``decide``: the decision rule without a score step (per-class thresholds, label-count
  rules, sparse decisions) over the ``[N, L]`` probabilities;
* ``plausibility``: the same rule with the ``plausibility`` step (``--weight``, ``--context``);
* for reference, the same rule with the step at lambda 0 (what any score step costs: the
  float64 ``[N, L]`` scores) and with a ``prior-shift`` step (what ``bias`` costs);

and prints each as seconds and the step's extra time as a share of ``predict + decide`` (the predict time without
the step). Example::

    python bench/plausibility.py                      # 32,580 x 7,178
    python bench/plausibility.py --images 4000        # a quick look
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--images", type=int, default=32580)
    ap.add_argument("--labels", type=int, default=7178)
    ap.add_argument("--degree", type=int, default=30, help="edges drawn per label (x2: symmetric)")
    ap.add_argument("--sample", type=int, default=2048, help="images timed through the model")
    ap.add_argument("--image-size", type=int, default=32)
    ap.add_argument("--tta", default="flip")
    ap.add_argument("--weight", type=float, default=1.0)
    ap.add_argument("--context", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=2, help="best of this many timings")
    args = ap.parse_args()

    import torch
    from PIL import Image

    from labelgraph import LabelGraph
    from vision.adapt import ClassThresholds, DecisionRule
    from vision.adapt.plausibility_rescoring import PlausibilityRescoring, lift_matrix
    from vision.adapt.prior_shift import PriorShift
    from vision.inference import Predictor
    from vision.models import MultiLabelClassifier

    rng = np.random.default_rng(0)
    n, n_labels = args.images, args.labels
    codes = [f"/m/b{j:06d}" for j in range(n_labels)]
    prior = 1.0 / np.arange(1, n_labels + 1)
    prior = np.clip(prior / prior.sum() * 5.0, 1e-6, 0.5)  # about 5 labels an image

    torch.manual_seed(0)
    margs = {"backbone": "test_cnn", "backbone_kwargs": {}, "head": "linear", "head_kwargs": {},
             "num_labels": n_labels}  # fmt: skip
    model = MultiLabelClassifier.from_args(margs, None).eval()
    images = torch.randn(256, 3, args.image_size, args.image_size)
    with torch.no_grad():  # logits: prior bias + an image-dependent part of std 2.5
        last = model.head.last_layer()
        feats = model.forward_features(images)
        last.weight.mul_(2.5 / float(((feats - feats.mean(0)) @ last.weight.T).std()))
        bias = np.log(prior / (1 - prior)) - 2.5**2 / 2 * (prior < 0.05)
        last.bias.copy_(torch.as_tensor(bias - (last.weight @ feats.mean(0)).numpy()))
    predictor = Predictor(model, args.image_size, tta=args.tta, progress=False)
    with tempfile.TemporaryDirectory() as folder:
        for i in range(args.sample):
            arr = rng.integers(0, 256, (args.image_size, args.image_size, 3), dtype=np.uint8)
            Image.fromarray(arr).save(Path(folder) / f"te{i:07d}.png", compress_level=1)
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            sample_probs = predictor.predict_folder(folder).probs
            best = min(best, time.perf_counter() - t0)
    forward = best * n / args.sample
    reps = -(-n // args.sample)
    probs = np.concatenate([sample_probs] * reps)[:n]
    probs = np.clip(probs * rng.uniform(0.5, 1.5, probs.shape).astype(np.float32), 0, 1)

    rows = np.repeat(np.arange(n_labels), args.degree)
    cols = rng.choice(n_labels, rows.size, p=prior / prior.sum())
    # PMI(a, b) <= -log max(P(a), P(b)): a frequent label implies little
    pmi = np.minimum(
        rng.uniform(0.2, 4.0, rows.size), -np.log(np.maximum(prior[rows], prior[cols]))
    )
    graph = LabelGraph.from_edges(codes, None, {"text": (rows, cols, pmi)})
    t0 = time.perf_counter()
    lift = lift_matrix(graph, codes)
    t_lift = time.perf_counter() - t0

    thr = ClassThresholds.constant(codes, 0.3, 1)
    thr.thresholds = rng.uniform(0.1, 0.6, n_labels)
    plain = DecisionRule(codes, thr)
    step = PlausibilityRescoring(lift, args.weight, args.context)
    rescored = DecisionRule(codes, thr, steps=[step])

    def timed(rule: DecisionRule) -> tuple[float, float, int]:
        best, best_scores = float("inf"), float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            scores = rule.scores(probs)
            t1 = time.perf_counter()
            decisions = rule.decide_sparse(scores)
            best = min(best, time.perf_counter() - t0)
            best_scores = min(best_scores, t1 - t0)
            del scores
        return best, best_scores, int(decisions.nnz)

    t_decide, _, nnz0 = timed(plain)
    t_plaus, t_step, nnz1 = timed(rescored)
    t_zero, t_zero_step, _ = timed(
        DecisionRule(codes, thr, steps=[PlausibilityRescoring(lift, 0.0, args.context)])
    )
    t_shift, t_shift_step, _ = timed(
        DecisionRule(codes, thr, steps=[PriorShift(np.zeros(n_labels))])
    )
    base = forward + t_decide
    print(f"{n} images x {n_labels} labels; graph {lift.nnz} directed edges "
          f"({lift.nnz / n_labels:.0f} per label); lift matrix built in {t_lift:.2f} s")  # fmt: skip
    print(f"predict (PNG decoding, {args.tta}, test_cnn {args.image_size} px, extrapolated from "
          f"{args.sample} images): {forward:8.2f} s")  # fmt: skip
    print(f"decide without a score step:         {t_decide:8.2f} s  ({nnz0} labels)")
    print(f"decide with plausibility (lambda {args.weight:g}): {t_plaus:8.2f} s  ({nnz1} labels; "
          f"the step itself {t_step:.2f} s)")  # fmt: skip
    print(f"the step at lambda 0 (only the float64 [N, L] every score step makes): {t_zero:8.2f} s"
          f"  (the step {t_zero_step:.2f} s)")  # fmt: skip
    print(f"reference, decide with a prior-shift step (bias): {t_shift:8.2f} s  (the step "
          f"{t_shift_step:.2f} s)")  # fmt: skip
    extra = t_plaus - t_decide
    print(f"plausibility adds {extra:.2f} s = {extra / base:.1%} of predict without it "
          f"(predict + decide = {base:.2f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
