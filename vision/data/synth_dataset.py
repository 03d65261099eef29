"""``generate_synth_dataset``: a small, complete Open Images-layout dataset with a shifted test region.

Scenes (grocery store, farm, street, beach, restaurant, park; see
:mod:`vision.data._synth_scenes`) are drawn with simple glyphs. Labels carry real Open Images
names and codes (:mod:`vision.data._synth_vocabulary`) and co-occur as the scenes dictate;
the person roles (Shopkeeper, Farmer, Pedestrian, Swimmer, Chef, Jockey) share one glyph,
so only the context tells them apart. The test region differs in appearance (tint, contrast,
noise, outlined art, JPEG instead of PNG) and in label frequencies (scene priors, object
rates). Output is a deterministic function of the arguments (same seed, same bytes).

Annotations of the training region:

* human labels (``Source=verification``): each true label verified present with probability
  0.8 (at least one per image), plus, in half the images, one or two verified-absent labels
  (``Confidence=0``) drawn from confusable labels (other person roles, other scenes' labels);
* machine labels (``Source=machine``): each true label with probability 0.75 and confidence
  ``clip(N(0.8, 0.1), 0.5, 0.99)``; in half the images one false positive with confidence
  ``U(0.5, 0.8)``, usually another person role;
* boxes (``Source=xclick``, ``Confidence=1``): every labelled object in 60% of the images.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from tqdm import tqdm

from corpora.atomic import atomic_write
from corpora.errors import InputError
from corpora.versions import package_versions
from vision.data._synth_glyphs import GLYPHS, SafeDraw, draw_leash
from vision.data._synth_scenes import SCENES, TEST_STYLE, TRAIN_STYLE, RegionStyle, Scene
from vision.data._synth_vocabulary import CODE, EXTRA_VOCABULARY, PARENTS, SYNTH_LABELS

__all__ = ["generate_synth_dataset", "SynthSummary", "MAX_SYNTH_LABELS", "SYNTH_FORMAT_VERSION"]

logger = logging.getLogger(__name__)

SYNTH_FORMAT_VERSION = 1
MAX_SYNTH_LABELS = len(SYNTH_LABELS)
MIN_SYNTH_LABELS = 5
ROLES = ("Shopkeeper", "Farmer", "Pedestrian", "Swimmer", "Chef", "Jockey")
_BOX_HEADER = (
    "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,"
    "IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\n"
)


@dataclass
class SynthSummary:
    """What :func:`generate_synth_dataset` wrote."""

    out: Path
    train_images: int
    test_images: int
    tuning_images: int
    labels: int
    human_rows: int
    machine_rows: int
    box_rows: int
    seconds: float
    train_label_counts: dict[str, int] = field(default_factory=dict)
    test_label_counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Drawn:
    labels: set[str]  # true label names (kept or not)
    boxes: list[tuple[str, tuple[float, float, float, float]]]  # (label name, pixel box)
    scene: Scene


def _place(d, name, x, y, s, rng, outline, boxes, label):
    box = GLYPHS.create(name, d, x, y, s, rng, outline)
    if label:
        boxes.append((label, box))
    return box


def _draw_background(
    d: ImageDraw.ImageDraw, scene: Scene, size: int, style: RegionStyle, rng
) -> set[str]:
    top = 0.0
    for bottom, colour in scene.bands:
        jitter = rng.integers(-12, 13, 3)
        col = tuple(
            int(np.clip(c + j + s, 0, 255)) for c, j, s in zip(colour, jitter, style.band_shift)
        )
        d.rectangle((0, top * size, size, bottom * size), fill=col)
        top = bottom
    labels: set[str] = set()
    if scene.decor == "shelves":
        for fy in (0.2, 0.45):
            d.rectangle((0, fy * size, size, fy * size + max(1, size // 32)), fill=(120, 80, 45))
            for _ in range(4):
                x = rng.uniform(0, size * 0.9)
                col = tuple(int(c) for c in rng.integers(40, 230, 3))
                d.rectangle((x, fy * size - size * 0.08, x + size * 0.06, fy * size), fill=col)
    elif scene.decor == "road":
        y = 0.8 * size
        for x in range(0, size, max(4, size // 6)):
            d.rectangle(
                (x, y, x + max(2, size // 12), y + max(1, size // 40)), fill=(240, 240, 240)
            )
    elif scene.decor == "frames":
        for _ in range(int(rng.integers(1, 3))):
            x = rng.uniform(0.05, 0.75) * size
            d.rectangle((x, 0.12 * size, x + 0.18 * size, 0.32 * size), fill=(90, 60, 40))
            d.rectangle(
                (x + 2, 0.12 * size + 2, x + 0.18 * size - 2, 0.32 * size - 2),
                fill=tuple(int(c) for c in rng.integers(60, 230, 3)),
            )
    elif scene.decor == "clouds" and rng.random() < 0.5:
        x, y = rng.uniform(0.15, 0.85) * size, rng.uniform(0.12, 0.25) * size
        GLYPHS.create("cloud", d, x, y, size * rng.uniform(0.2, 0.3), rng, None)
        labels.add("Cloud")
    return labels


def _draw_scene(
    scene: Scene, size: int, style: RegionStyle, rng: np.random.Generator
) -> tuple[Image.Image, _Drawn]:
    img = Image.new("RGB", (size, size))
    d = SafeDraw(img)
    labels = _draw_background(d, scene, size, style, rng)
    for name, prob in scene.labels:
        if rng.random() < prob:
            labels.add(name)
    boxes: list[tuple[str, tuple[float, float, float, float]]] = []
    out = style.outline
    persons: list[tuple[float, float, float]] = []
    dogs: list[tuple[float, float, float]] = []
    # Draw far (high zone) before near objects so near ones overlap.
    specs = sorted(scene.objects, key=lambda o: o.zone[0])
    for spec in specs:
        p = min(1.0, spec.prob * style.object_scale.get(spec.label, 1.0))
        if rng.random() >= p:
            continue
        for _ in range(int(rng.integers(spec.count[0], spec.count[1] + 1))):
            s = rng.uniform(*spec.size) * size
            x = rng.uniform(0.12, 0.88) * size
            y = rng.uniform(*spec.zone) * size
            labels.add(spec.label)
            if spec.glyph == "horse":
                _place(d, "horse", x, y, s, rng, out, boxes, "Horse")
                if rng.random() < 0.5:
                    _place(d, "saddle", x, y, s, rng, out, boxes, "Saddle")
                    labels.add("Saddle")
                    if rng.random() < 0.6:  # a rider: a Jockey, only the horse tells
                        _place(
                            d,
                            "person",
                            x - s * 0.1,
                            y - s * 0.7,
                            s * 0.8,
                            rng,
                            out,
                            boxes,
                            "Person",
                        )
                        labels |= {"Person", "Jockey"}
                continue
            if spec.glyph == "bicycle":
                _place(d, "bicycle", x, y, s, rng, out, boxes, "Bicycle")
                if rng.random() < 0.7:  # a rider, usually with a helmet
                    h = s * 1.6
                    _place(d, "person", x, y - s * 0.35, h, rng, out, boxes, "Person")
                    labels.add("Person")
                    if rng.random() < 0.8:
                        _place(
                            d, "helmet", x, y - s * 0.35 - h, h * 0.26, rng, out, boxes, "Helmet"
                        )
                        labels.add("Helmet")
                continue
            _place(d, spec.glyph, x, y, s, rng, out, boxes, spec.label)
            if spec.role:
                labels.add(spec.role)
            if spec.glyph == "person":
                persons.append((x, y, s))
            elif spec.glyph == "dog":
                dogs.append((x, y, s))
    if scene.name == "park" and persons and dogs and rng.random() < 0.6:
        (px, py, ps), (dx, dy, ds) = persons[0], dogs[0]
        box = draw_leash(d, px + ps * 0.16, py - ps * 0.45, dx + ds * 0.5, dy - ds * 0.8)
        boxes.append(("Leash", box))
        labels.add("Leash")
    for name in list(labels):
        labels.update(PARENTS.get(name, ()))
    return img, _Drawn(labels, boxes, scene)


def _styled(img: Image.Image, style: RegionStyle, rng: np.random.Generator) -> Image.Image:
    x = np.asarray(img, dtype=np.float32)
    x = (x * np.asarray(style.tint, np.float32) - 128.0) * style.contrast + 128.0 + style.brightness
    if style.noise:
        x = x + rng.normal(0.0, style.noise, x.shape).astype(np.float32)
    return Image.fromarray(np.clip(np.rint(x), 0, 255).astype(np.uint8))


def _region(
    n: int, size: int, style: RegionStyle, rng: np.random.Generator, ids: set[str], progress: bool
) -> list[tuple[str, Image.Image, _Drawn]]:
    prior = np.asarray(style.scene_prior, dtype=np.float64)
    prior = prior / prior.sum()
    out = []
    for _ in tqdm(range(n), desc=f"synth {style.name}", unit="img", disable=not progress):
        scene = SCENES[int(rng.choice(len(SCENES), p=prior))]
        img, drawn = _draw_scene(scene, size, style, rng)
        image_id = rng.bytes(8).hex()
        while image_id in ids:
            image_id = rng.bytes(8).hex()
        ids.add(image_id)
        out.append((image_id, _styled(img, style, rng), drawn))
    return out


def _confusers(drawn: _Drawn, kept: set[str]) -> list[str]:
    """Plausible-but-absent labels: other person roles, other scenes' labels (kept only)."""
    pool = [r for r in ROLES if r not in drawn.labels]
    for scene in SCENES:
        if scene is not drawn.scene:
            pool.extend(name for name, _ in scene.labels)
    return sorted({p for p in pool if p in kept and p not in drawn.labels})


def generate_synth_dataset(
    out: str | Path,
    *,
    images: int = 300,
    labels: int = MAX_SYNTH_LABELS,
    seed: int = 0,
    image_size: int = 64,
    test_images: int | None = None,
    tuning_images: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> SynthSummary:
    """Write a synthetic dataset in Open Images layout to ``out``.

    Args:
        out: output folder; must not exist or be empty unless ``overwrite``.
        images: training images (PNG).
        labels: vocabulary size ``L``: the first ``L`` of the built-in labels
            (``5 <= L <= MAX_SYNTH_LABELS``); other labels are drawn but never annotated.
        seed: everything (pixels, ids, annotations) is a function of the arguments.
        image_size: side of the square images in pixels (>= 16).
        test_images: test images (JPEG); default ``max(20, images // 3)``.
        tuning_images: test images listed in ``tuning_labels.csv``; default
            ``max(5, test_images // 10)``; the rest are in ``test_solutions.csv``.
        overwrite: replace an existing non-empty ``out`` (only one ``vision synth`` wrote).

    Files: ``train/*.png``, ``train_human_labels.csv``, ``train_machine_labels.csv``,
    ``train_bounding_boxes.csv``, ``class-descriptions.csv`` (no header, the ``L`` labels plus
    a few untrainable ones), ``classes-trainable.csv`` (header ``label_code``), ``test/*.jpg``,
    ``tuning_labels.csv`` (no header), ``test_solutions.csv``, ``sample_submission.csv``
    (empty labels) and ``synth_manifest.json`` (parameters, counts, label frequencies).
    The folder appears complete or not at all: it is built beside ``out`` and renamed.
    """
    t0 = time.perf_counter()
    if not MIN_SYNTH_LABELS <= labels <= MAX_SYNTH_LABELS:
        raise InputError(
            f"--labels must be in [{MIN_SYNTH_LABELS}, {MAX_SYNTH_LABELS}], not {labels}"
        )
    if images < 1:
        raise InputError(f"--images must be at least 1, not {images}")
    if image_size < 16:
        raise InputError(f"--image-size must be at least 16 pixels, not {image_size}")
    n_test = max(20, images // 3) if test_images is None else int(test_images)
    n_tune = max(5, n_test // 10) if tuning_images is None else int(tuning_images)
    if n_test < 1 or not 0 <= n_tune <= n_test:
        raise InputError(
            f"need test_images >= 1 and 0 <= tuning_images <= test_images, got {n_test}, {n_tune}"
        )
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        if not overwrite:
            raise InputError(
                f"output folder {out} exists and is not empty; choose a new --out or pass --overwrite"
            )
        if not (out / "synth_manifest.json").is_file():
            raise InputError(
                f"refusing to overwrite {out}: it has no synth_manifest.json, so `vision synth` "
                "did not write it; choose a new --out"
            )

    kept_pairs = SYNTH_LABELS[:labels]
    kept = {name for _, name in kept_pairs}
    rng = np.random.default_rng(seed)
    ids: set[str] = set()
    train = _region(images, image_size, TRAIN_STYLE, rng, ids, progress)
    test = _region(n_test, image_size, TEST_STYLE, rng, ids, progress)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "train").mkdir()
        (tmp / "test").mkdir()
        human, machine, box_rows = [], [], []
        ann = np.random.default_rng([seed, 1])
        for image_id, img, drawn in train:
            img.save(tmp / "train" / f"{image_id}.png", optimize=False, compress_level=1)
            true = sorted(drawn.labels & kept, key=list(CODE).index)
            verified = [name for name in true if ann.random() < 0.8]
            if true and not verified:
                verified = [true[0]]
            human += [(image_id, "verification", CODE[n], "1") for n in verified]
            confusers = _confusers(drawn, kept)
            if confusers and ann.random() < 0.5:
                k = min(len(confusers), int(ann.integers(1, 3)))
                for n in ann.choice(confusers, size=k, replace=False):
                    human.append((image_id, "verification", CODE[str(n)], "0"))
            for name in true:
                if ann.random() < 0.75:
                    conf = float(np.clip(ann.normal(0.8, 0.1), 0.5, 0.99))
                    machine.append((image_id, "machine", CODE[name], f"{conf:.2f}"))
            if confusers and ann.random() < 0.5:
                roles = [c for c in confusers if c in ROLES]
                pool = roles if roles and ann.random() < 0.7 else confusers
                name = str(ann.choice(pool))
                machine.append((image_id, "machine", CODE[name], f"{ann.uniform(0.5, 0.8):.2f}"))
            if ann.random() < 0.6:
                for name, (x0, y0, x1, y1) in drawn.boxes:
                    if name not in kept:
                        continue
                    fx0, fx1 = max(0.0, x0 / image_size), min(1.0, x1 / image_size)
                    fy0, fy1 = max(0.0, y0 / image_size), min(1.0, y1 / image_size)
                    if fx1 <= fx0 or fy1 <= fy0:
                        continue
                    trunc = int(x0 < 0 or y0 < 0 or x1 > image_size or y1 > image_size)
                    occl = int(ann.random() < 0.2)
                    box_rows.append(
                        f"{image_id},xclick,{CODE[name]},1,{fx0:.4f},{fx1:.4f},{fy0:.4f},{fy1:.4f},"
                        f"{occl},{trunc},0,0,{int(drawn.scene.indoor)}\n"
                    )
        truth = {}
        for image_id, img, drawn in test:
            img.save(tmp / "test" / f"{image_id}.jpg", quality=85)
            truth[image_id] = [CODE[n] for n in sorted(drawn.labels & kept, key=list(CODE).index)]
        test_ids = [t[0] for t in test]
        with atomic_write(tmp / "train_human_labels.csv") as fh:
            fh.write("ImageID,Source,LabelName,Confidence\n")
            fh.writelines(",".join(r) + "\n" for r in human)
        with atomic_write(tmp / "train_machine_labels.csv") as fh:
            fh.write("ImageID,Source,LabelName,Confidence\n")
            fh.writelines(",".join(r) + "\n" for r in machine)
        with atomic_write(tmp / "train_bounding_boxes.csv") as fh:
            fh.write(_BOX_HEADER)
            fh.writelines(box_rows)
        with atomic_write(tmp / "class-descriptions.csv") as fh:
            fh.writelines(f"{c},{n}\n" for c, n in (*kept_pairs, *EXTRA_VOCABULARY))
        with atomic_write(tmp / "classes-trainable.csv") as fh:
            fh.write("label_code\n")
            fh.writelines(f"{c}\n" for c, _ in kept_pairs)
        with atomic_write(tmp / "tuning_labels.csv") as fh:
            fh.writelines(f'{i},"{" ".join(truth[i])}"\n' for i in test_ids[:n_tune])
        with atomic_write(tmp / "test_solutions.csv") as fh:
            fh.write("image_id,labels\n")
            fh.writelines(f"{i},{' '.join(truth[i])}\n" for i in test_ids[n_tune:])
        with atomic_write(tmp / "sample_submission.csv") as fh:
            fh.write("image_id,labels\n")
            fh.writelines(f"{i},\n" for i in test_ids)
        name_of = {c: n for c, n in kept_pairs}
        train_counts = Counter(n for _, _, d in train for n in d.labels & kept)
        test_counts = Counter(name_of[c] for codes in truth.values() for c in codes)
        summary = SynthSummary(
            out=out,
            train_images=len(train),
            test_images=len(test),
            tuning_images=n_tune,
            labels=labels,
            human_rows=len(human),
            machine_rows=len(machine),
            box_rows=len(box_rows),
            seconds=0.0,
            train_label_counts=dict(sorted(train_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
            test_label_counts=dict(sorted(test_counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        manifest = {
            "format_version": SYNTH_FORMAT_VERSION,
            "kind": "vision.data.synth",
            "parameters": {
                "images": images,
                "labels": labels,
                "seed": seed,
                "image_size": image_size,
                "test_images": n_test,
                "tuning_images": n_tune,
            },
            "counts": {
                "train_images": len(train),
                "test_images": len(test),
                "human_rows": len(human),
                "machine_rows": len(machine),
                "box_rows": len(box_rows),
            },
            "train_label_counts": summary.train_label_counts,
            "test_label_counts": summary.test_label_counts,
            "scenes": {
                "train": dict(Counter(d.scene.name for _, _, d in train)),
                "test": dict(Counter(d.scene.name for _, _, d in test)),
            },
            "versions": package_versions(),
        }
        with atomic_write(tmp / "synth_manifest.json") as fh:
            json.dump(manifest, fh, indent=1, sort_keys=True)
        if out.exists():
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary.seconds = time.perf_counter() - t0
    logger.info(
        "wrote %s: %d train + %d test images, %d labels in %.2fs",
        out,
        summary.train_images,
        summary.test_images,
        labels,
        summary.seconds,
    )
    return summary
