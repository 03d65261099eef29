"""``vision synth``: write a synthetic dataset in Open Images layout (train + shifted test region)."""

from __future__ import annotations

import argparse
import json

from corpora.cli_common import add_common_flags, save_resolved_config

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="write a synthetic Open Images-layout dataset with a shifted test region",
        description=(
            "Draw scenes (grocery store, farm, street, beach, restaurant, park) with real Open "
            "Images labels, write train/ with human labels, noisy machine labels and boxes, and "
            "a shifted test/ region with tuning labels, a solution file and a sample submission."
        ),
    )
    parser.build_later(_build)
    parser.set_defaults(func=main)


def _build(parser: argparse.ArgumentParser) -> None:
    from vision.data.synth_dataset import MAX_SYNTH_LABELS

    out = parser.add_argument_group("output")
    out.add_argument("--out", required=True, help="output folder (must be new or empty)")
    out.add_argument("--overwrite", action="store_true", help="replace a non-empty --out")
    size = parser.add_argument_group("size")
    size.add_argument("--images", type=int, default=300, help="training images")
    size.add_argument(
        "--test-images", type=int, default=None, help="test images (default max(20, images/3))"
    )
    size.add_argument(
        "--tuning-images",
        type=int,
        default=None,
        help="test images in tuning_labels.csv (default max(5, test/10))",
    )
    size.add_argument(
        "--labels",
        type=int,
        default=MAX_SYNTH_LABELS,
        help=f"vocabulary size L, 5..{MAX_SYNTH_LABELS} (default {MAX_SYNTH_LABELS})",
    )
    size.add_argument("--image-size", type=int, default=64, help="image side in pixels")
    rand = parser.add_argument_group("randomness")
    rand.add_argument("--seed", type=int, default=0, help="random seed; same seed, same files")
    add_common_flags(parser)


def main(args: argparse.Namespace) -> int:
    from vision.data.synth_dataset import generate_synth_dataset

    summary = generate_synth_dataset(
        args.out,
        images=args.images,
        labels=args.labels,
        seed=args.seed,
        image_size=args.image_size,
        test_images=args.test_images,
        tuning_images=args.tuning_images,
        overwrite=args.overwrite,
        progress=not args.quiet,
    )
    save_resolved_config(args, summary.out / "config.yaml")
    print(
        json.dumps(
            {
                "out": str(summary.out),
                "train_images": summary.train_images,
                "test_images": summary.test_images,
                "tuning_images": summary.tuning_images,
                "labels": summary.labels,
                "human_rows": summary.human_rows,
                "machine_rows": summary.machine_rows,
                "box_rows": summary.box_rows,
                "seconds": round(summary.seconds, 2),
            }
        )
    )
    return 0
