"""Synthetic Open Images annotation files at a chosen fraction of the real size.

    .venv/bin/python bench/make_openimages_csv.py --out DIR [--scale 0.1] [--seed 0]

Writes, in the package's data layout (``vision.data.DataLayout``), with the real columns:

* ``train_human_labels.csv``: ``ImageID,Source,LabelName,Confidence`` (Source
  ``verification`` 90 % / ``crowdsource-verification``; Confidence 1 for 70 % of the rows,
  0 = verified absent for the rest); no (image, label) pair twice;
* ``train_machine_labels.csv``: same columns, Source ``machine``, Confidence in steps of 0.01
  from 0.3 to 1; no pair twice;
* ``train_bounding_boxes.csv``: ``ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,
  IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside`` over the 600 most frequent labels
  (the boxable classes), coordinates with 6 decimals, flags 0/1 (a few -1); a pair may have
  several boxes;
* ``class-descriptions.csv`` (19,995 codes and names, no header) and ``classes-trainable.csv``
  (header ``label_code``, the 7,178 trainable codes).

Labels follow a Zipf law (probability of the k-th most frequent trainable code proportional
to ``1 / k``) over the 7,178 trainable codes; rows are spread uniformly over the images
(multinomial counts) and sorted by ImageID, as in the real files. At ``--scale 1`` the counts
are the real ones: 1,743,042 images, 8,036,466 human labels, 15,259,186 machine labels,
14,610,229 boxes (``--scale 0.1``: 174,304 images, 803,647 / 1,525,919 / 1,461,023 rows).
The output depends only on ``--scale`` and ``--seed``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from corpora.formats.bounding_boxes import BOX_COLUMNS
from corpora.formats.image_labels import LABEL_COLUMNS

#: the real Open Images V4 training set of the Inclusive Images Challenge
REAL = {"images": 1_743_042, "human": 8_036_466, "machine": 15_259_186, "boxes": 14_610_229}
TRAINABLE = 7_178
CLASSES = 19_995
BOXABLE = 600
_CHUNK_IMAGES = 50_000  # images per written block (fixed: the output must not depend on it)
_CODE_CHARS = np.array(list("0123456789bcdfghjklmnpqrstvwxyz_"))


def sizes(scale: float) -> dict[str, int]:
    """Row counts at ``scale`` (at least one image)."""
    return {k: max(1, round(v * scale)) for k, v in REAL.items()}


def make_codes(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct MID-like codes (``/m/0`` + 4 to 7 characters)."""
    out: dict[str, None] = {}
    while len(out) < n:
        length = int(rng.integers(4, 8))
        out["/m/0" + "".join(rng.choice(_CODE_CHARS, length))] = None
    return list(out)


def make_image_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct sorted 16-hex-digit ids (object array of str)."""
    ids = np.unique(rng.integers(0, 2**63, size=n + n // 100 + 10, dtype=np.int64))
    ids = np.sort(rng.choice(ids, n, replace=False))
    return np.array([f"{v:016x}" for v in ids.tolist()], dtype=object)


def zipf_probabilities(n: int) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1)
    return p / p.sum()


def draw_labels(
    rng: np.random.Generator, images: np.ndarray, p: np.ndarray, distinct: bool
) -> np.ndarray:
    """A label rank for each row of ``images`` (sorted image indices); with ``distinct``, no
    image gets the same label twice (repeats are redrawn)."""
    labels = rng.choice(len(p), size=len(images), p=p)
    if not distinct:
        return labels
    for _ in range(100):
        key = images.astype(np.int64) * len(p) + labels
        order = np.argsort(key, kind="stable")
        dup = np.zeros(len(key), bool)
        dup[order[1:]] = key[order[1:]] == key[order[:-1]]
        if not dup.any():
            return labels
        labels[dup] = rng.choice(len(p), size=int(dup.sum()), p=p)
    raise RuntimeError("could not draw distinct labels; an image has too many rows")


def _format(values: np.ndarray, decimals: int) -> pa.Array:
    """Numbers as the shortest decimal text (``1``, ``0.25``, ``0.123456``)."""
    text = np.char.mod(f"%.{decimals}f", values)
    if decimals:
        text = np.char.rstrip(np.char.rstrip(text, "0"), ".")
    return pa.array(text.astype(object), pa.string())


def write_file(
    path: Path,
    kind: str,
    n_rows: int,
    ids: np.ndarray,
    codes: list[str],
    rng: np.random.Generator,
) -> None:
    """Write one of the three annotation files, ``_CHUNK_IMAGES`` images at a time."""
    n_images = len(ids)
    per_image = rng.multinomial(n_rows, np.full(n_images, 1.0 / n_images))
    n_labels = BOXABLE if kind == "boxes" else TRAINABLE
    p = zipf_probabilities(n_labels)
    rank_code = np.array(codes[:TRAINABLE], dtype=object)
    columns = list(BOX_COLUMNS if kind == "boxes" else LABEL_COLUMNS)
    options = pacsv.WriteOptions(include_header=False, quoting_style="none")
    schema = pa.schema([(c, pa.string()) for c in columns])
    with open(path, "wb") as fh, pacsv.CSVWriter(fh, schema, write_options=options) as writer:
        fh.write((",".join(columns) + "\n").encode())
        for start in range(0, n_images, _CHUNK_IMAGES):
            counts = per_image[start : start + _CHUNK_IMAGES]
            images = np.repeat(np.arange(start, start + len(counts)), counts)
            n = len(images)
            labels = draw_labels(rng, images, p, distinct=kind != "boxes")
            order = np.lexsort((labels, images))
            images, labels = images[order], labels[order]
            cols: dict[str, pa.Array] = {
                "ImageID": pa.array(ids[images], pa.string()),
                "LabelName": pa.array(rank_code[labels], pa.string()),
            }
            if kind == "human":
                source = np.where(rng.random(n) < 0.9, "verification", "crowdsource-verification")
                cols["Source"] = pa.array(source.astype(object), pa.string())
                cols["Confidence"] = _format((rng.random(n) < 0.7).astype(float), 0)
            elif kind == "machine":
                cols["Source"] = pa.array(np.full(n, "machine", dtype=object), pa.string())
                cols["Confidence"] = _format(rng.integers(30, 101, n) / 100, 2)
            else:
                source = np.where(rng.random(n) < 0.95, "xclick", "activemil")
                cols["Source"] = pa.array(source.astype(object), pa.string())
                cols["Confidence"] = _format(np.ones(n), 0)
                for lo, hi in (("XMin", "XMax"), ("YMin", "YMax")):
                    a, b = rng.random(n), rng.random(n)
                    cols[lo] = _format(np.round(np.minimum(a, b), 6), 6)
                    cols[hi] = _format(np.round(np.maximum(a, b), 6), 6)
                for flag in columns[8:]:
                    value = (rng.random(n) < 0.3).astype(np.int64)
                    value[rng.random(n) < 0.01] = -1
                    cols[flag] = pa.array(value.astype(str).astype(object), pa.string())
            writer.write_table(pa.table([cols[c] for c in columns], schema=schema))


def make(out: Path, scale: float = 0.1, seed: int = 0) -> dict[str, int]:
    """Write the five files into ``out``; returns the row counts."""
    out.mkdir(parents=True, exist_ok=True)
    n = sizes(scale)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    codes = make_codes(streams[0], CLASSES)
    trainable = codes[:TRAINABLE]
    ids = make_image_ids(streams[1], n["images"])
    with open(out / "class-descriptions.csv", "w", encoding="utf-8", newline="") as fh:
        fh.writelines(f"{c},Label {i}\n" for i, c in enumerate(codes))
    with open(out / "classes-trainable.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("label_code\n")
        fh.writelines(f"{c}\n" for c in sorted(trainable))
    for kind, name, rng in (
        ("human", "train_human_labels.csv", streams[2]),
        ("machine", "train_machine_labels.csv", streams[3]),
        ("boxes", "train_bounding_boxes.csv", streams[4]),
    ):
        write_file(out / name, kind, n[kind], ids, codes, rng)
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--scale", type=float, default=0.1, help="fraction of the real size")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1:
        parser.error("--scale must be in (0, 1]")
    t0 = time.perf_counter()
    n = make(args.out, args.scale, args.seed)
    sizes_mb = {p.name: p.stat().st_size / 1e6 for p in sorted(args.out.glob("*.csv"))}
    print(
        f"{args.out}: {n['images']:,} images, {n['human']:,} human / {n['machine']:,} machine "
        f"labels, {n['boxes']:,} boxes ({time.perf_counter() - t0:.1f} s)"
    )
    for name, mb in sizes_mb.items():
        print(f"  {name}: {mb:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
