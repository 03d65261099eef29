"""``vision predict``: a Kaggle submission from one run or an ensemble of runs."""

from __future__ import annotations

import argparse
import logging

import numpy as np

from corpora.cli_common import add_common_flags
from corpora.errors import InputError
from corpora.formats.label_sets import read_submission_ids, write_submission
from vision.adapted_run import AdaptedRun
from vision.decision_rule import DecisionRule
from vision.ensemble import check_same_vocabulary, create_vote, list_votes
from vision.predictor import Predictor
from vision.submission import labels_from_decisions
from vision.thresholds import ClassThresholds
from vision.tta import list_tta

__all__ = ["register", "predict_to_csv"]

logger = logging.getLogger(__name__)


def _rule_for(run: AdaptedRun, args: argparse.Namespace) -> DecisionRule:
    """The run's stored rule (or a global one), with the command-line overrides applied."""
    rule = run.rule or DecisionRule.default(run.codes, run.default_threshold)
    thr = rule.thresholds
    if args.threshold is not None:
        thr = ClassThresholds.constant(run.codes, args.threshold, thr.min_labels, thr.max_labels)
    min_labels = thr.min_labels if args.min_labels is None else args.min_labels
    max_labels = thr.max_labels if args.max_labels is None else (args.max_labels or None)
    rule.thresholds = ClassThresholds(
        list(thr.codes), thr.thresholds, thr.global_threshold, min_labels, max_labels, thr.stats
    )
    if args.no_knn and rule.knn is not None:
        rule.knn = None
    return rule


def predict_to_csv(args: argparse.Namespace) -> dict:
    """Run the prediction described by ``args``; returns counts for the report."""
    run_dirs = [args.run] + list(args.ensemble or [])
    runs = [AdaptedRun.load(r, args.which) for r in run_dirs]
    codes = check_same_vocabulary([(str(r.run_dir), r.codes) for r in runs])
    order = read_submission_ids(args.sample_submission) if args.sample_submission else None
    all_scores, all_decisions, ids, bad = [], [], None, None
    for k, run in enumerate(runs):
        predictor = Predictor(
            run.model,
            run.image_size,
            tta=args.tta,
            batch_size=args.batch_size,
            device=args.device,
            progress=not args.quiet,
            normalize=run.normalize,
        )
        preds = predictor.predict_folder(args.images, order, desc=f"predict {k + 1}/{len(runs)}")
        if ids is not None and preds.image_ids != ids:
            raise InputError(f"run {run.run_dir} read a different set of images")
        ids, bad = preds.image_ids, preds.bad
        rule = _rule_for(run, args)
        scores = rule.scores(preds.probs, preds.features, preds.pixels)
        all_scores.append(scores)
        all_decisions.append(rule.decide(scores))
    vote = create_vote(args.vote)
    combined = vote(all_scores, all_decisions)
    if combined.decisions is not None:
        decisions = combined.decisions
    elif len(runs) == 1:
        decisions = all_decisions[0]
    else:
        decisions = _rule_for(runs[0], args).decide(combined.scores)
    labels, n_fallback = labels_from_decisions(
        ids, decisions, codes, combined.scores, fallback_k=args.fallback_labels
    )
    fallback = None
    if len(ids):
        mean_scores = combined.scores.mean(0)
        fallback = [codes[j] for j in np.argsort(-mean_scores)[: max(args.fallback_labels, 1)]]
    for image_id, reason in bad or []:
        logger.warning("image %s could not be predicted (%s): fallback labels", image_id, reason)
    if bad and fallback is None:
        raise InputError(f"no image of {args.images} could be read; nothing to predict from")
    if order is None:
        order = sorted(set(ids) | {b[0] for b in bad or []})
    write_submission(args.out, labels, order=order, fallback=fallback)
    return {
        "images": len(order),
        "predicted": len(ids),
        "bad": len(bad or []),
        "empty_filled": n_fallback,
        "runs": len(runs),
        "labels_per_image": float(np.mean([len(v) for v in labels.values()])) if labels else 0.0,
    }


def _main(args: argparse.Namespace) -> int:
    report = predict_to_csv(args)
    print(
        f"wrote {args.out}: {report['images']} rows ({report['predicted']} predicted, "
        f"{report['bad']} unreadable given the fallback, {report['empty_filled']} empty "
        f"predictions filled), {report['labels_per_image']:.2f} labels/image, "
        f"{report['runs']} run(s), TTA {args.tta}, vote {args.vote}"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="write a submission (image_id,labels) for a folder of images",
        description=(
            "Predict labels for test images with a (possibly adapted) run or an ensemble; "
            "rows follow the sample submission, empty predictions and unreadable images get "
            "fallback labels; written atomically."
        ),
    )
    io = parser.add_argument_group("input/output")
    io.add_argument("--run", required=True, help="run folder (trained or adapted)")
    io.add_argument("--which", default="best", help="checkpoint: best or last (default best)")
    io.add_argument("--images", required=True, help="folder of test images")
    io.add_argument("--out", required=True, help="submission CSV to write")
    io.add_argument("--sample-submission", default=None, help="defines the ids and row order")
    inf = parser.add_argument_group("inference")
    inf.add_argument("--tta", default="none", choices=list_tta())
    inf.add_argument("--ensemble", nargs="+", default=None, metavar="RUN", help="more runs")
    inf.add_argument("--vote", default="mean", choices=list_votes())
    inf.add_argument("--batch-size", type=int, default=64)
    inf.add_argument("--device", default="cpu")
    inf.add_argument("--no-knn", action="store_true", help="ignore a stored kNN label transfer")
    dec = parser.add_argument_group("decision")
    dec.add_argument(
        "--threshold", type=float, default=None, help="one global threshold (overrides)"
    )
    dec.add_argument("--min-labels", type=int, default=None, help="at least this many labels/image")
    dec.add_argument("--max-labels", type=int, default=None, help="at most this many (0: no cap)")
    dec.add_argument(
        "--fallback-labels",
        type=int,
        default=1,
        help="top labels given to an empty row (default 1)",
    )
    add_common_flags(parser)
    parser.set_defaults(func=_main)
