"""Every image a user's folder may hold, at every stage (issue #14 kind 4).

The cases of ``../shared/cases`` (truncated JPEG in training, decompression bomb in training
with the cache and in prediction, EXIF orientation), rebuilt at small sizes in ``tmp_path``
(a bomb via a tiny ``--max-image-pixels``), plus instances built here: CMYK JPEG, 16-bit grey
PNG, palette PNG with transparency, EXIF orientation 3, a zero-byte file and a text file
named ``.jpg``. Each ends in a result (checkpoints, a full submission, an adapted run) with
the bad file named, never in a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from vision.cli import main as vision_main

CASES = Path(__file__).resolve().parents[2].parent / "shared" / "cases"
SMALL = ["--backbone", "test_cnn", "--head", "linear", "--image-size", "32", "--quiet"]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    """``vision synth`` data (40 training, 12 test images, 32 px) and a 1-epoch run."""
    root = tmp_path_factory.mktemp("cases")
    data = root / "data"
    argv = ["synth", "--out", str(data), "--images", "40", "--test-images", "12"]
    argv += ["--tuning-images", "4", "--labels", "6", "--image-size", "32", "--seed", "0"]
    assert vision_main([*argv, "--quiet"]) == 0
    train = ["train", "--data", str(data), "--graph", "identity", "--out", str(root / "run")]
    assert vision_main([*train, *SMALL, "--epochs", "1", "--batch-size", "8"]) == 0
    return root


def copy_data(dataset: Path, dest: Path) -> Path:
    shutil.copytree(dataset / "data", dest)
    return dest


def replace_image(folder: Path, which: int, name_ext: str, write) -> str:
    """Replace the ``which``-th image of ``folder`` (sorted) by ``write(path)``; its id."""
    victim = sorted(folder.iterdir())[which]
    image_id = victim.stem
    victim.unlink()
    write(folder / f"{image_id}{name_ext}")
    return image_id


def truncated_jpeg(path: Path) -> None:
    """The case's interrupted download: the first two thirds of a valid 64x64 JPEG."""
    buf = io.BytesIO()
    pixels = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    Image.fromarray(pixels).save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])


def big_png(path: Path) -> None:
    """A 'decompression bomb' at test size: 600 x 500 one-bit pixels, tiny on disk."""
    Image.new("1", (600, 500), 0).save(path, optimize=True)


def bad_rows(report: Path) -> dict[str, str]:
    with open(report, newline="") as fh:
        return {row["image_id"]: row["reason"] for row in csv.DictReader(fh)}


def train(data: Path, out: Path, *extra: str) -> int:
    argv = ["train", "--data", str(data), "--graph", "identity", "--out", str(out)]
    return vision_main([*argv, *SMALL, "--epochs", "2", "--batch-size", "8", *extra])


@pytest.mark.parametrize("workers", ["0", "2"])
def test_truncated_jpeg_found_before_training_and_skipped(dataset, tmp_path, capfd, workers):
    data = copy_data(dataset, tmp_path / "data")
    bad_id = replace_image(data / "train", -1, ".jpg", truncated_jpeg)
    capfd.readouterr()
    rc = train(data, tmp_path / "run", "--workers", workers)
    err = capfd.readouterr().err
    assert rc == 0, err[-3000:]
    assert (tmp_path / "run" / "best.pt").is_file() and (tmp_path / "run" / "last.pt").is_file()
    rows = bad_rows(tmp_path / "run" / "bad_images.csv")
    assert list(rows) == [bad_id] and "image file is truncated" in rows[bad_id]
    assert f"{bad_id}.jpg" in rows[bad_id]  # the reason names the file
    assert f"{bad_id}.jpg" in err and "skipped 1 of" in err
    assert "Traceback" not in err


def test_header_check_skips_a_truncated_jpeg_lazily_in_workers(dataset, tmp_path, capfd):
    data = copy_data(dataset, tmp_path / "data")
    bad_id = replace_image(data / "train", -1, ".jpg", truncated_jpeg)
    capfd.readouterr()
    rc = train(data, tmp_path / "run", "--workers", "2", "--check-images", "header")
    err = capfd.readouterr().err
    assert rc == 0, err[-3000:]
    assert (tmp_path / "run" / "last.pt").is_file()
    assert "Traceback" not in err
    assert f"cannot decode image {data / 'train' / bad_id}.jpg" in err
    assert "training on the next image in its place" in err


def test_bomb_in_training_with_the_cache_is_listed_and_training_completes(dataset, tmp_path, capfd):
    data = copy_data(dataset, tmp_path / "data")
    bad_id = replace_image(data / "train", -1, ".png", big_png)
    cache = tmp_path / "cache"
    capfd.readouterr()
    rc = train(data, tmp_path / "run", "--cache-dir", str(cache), "--max-image-pixels", "100000")
    err = capfd.readouterr().err
    assert rc == 0, err[-3000:]
    assert (tmp_path / "run" / "best.pt").is_file() and (tmp_path / "run" / "last.pt").is_file()
    rows = bad_rows(cache / "bad_images.csv")
    assert list(rows) == [bad_id]
    assert "DecompressionBombError" in rows[bad_id] and "300,000 pixels" in rows[bad_id]
    assert "Traceback" not in err
    # the finished cache is reused: a second run decodes nothing and still skips the image
    rc = train(data, tmp_path / "run2", "--cache-dir", str(cache), "--max-image-pixels", "100000")
    assert rc == 0 and "caching images" not in capfd.readouterr().err


def test_bomb_in_prediction_gets_the_fallback_and_every_row_is_written(dataset, tmp_path, capfd):
    data = dataset / "data"
    test = tmp_path / "test"
    shutil.copytree(data / "test", test)
    bad_id = replace_image(test, 0, ".png", big_png)
    out = tmp_path / "submission.csv"
    capfd.readouterr()
    argv = ["predict", "--run", str(dataset / "run"), "--images", str(test), "--out", str(out)]
    argv += ["--sample-submission", str(data / "sample_submission.csv")]
    rc = vision_main([*argv, "--max-image-pixels", "100000", "--quiet"])
    cap = capfd.readouterr()
    assert rc == 0, cap.err[-3000:]
    with open(out, newline="") as fh:
        rows = {r["image_id"]: r["labels"] for r in csv.DictReader(fh)}
    with open(data / "sample_submission.csv", newline="") as fh:
        expected_ids = [r["image_id"] for r in csv.DictReader(fh)]
    assert list(rows) == expected_ids and len(rows) == 12
    assert rows[bad_id]  # the fallback labels
    assert "1 unreadable given the fallback" in cap.out
    assert f"{bad_id}.png" in cap.err and "DecompressionBombError" in cap.err
    assert "Traceback" not in cap.err


def test_truncated_tuning_image_is_left_out_of_adaptation(dataset, tmp_path, capfd):
    data = dataset / "data"
    test = tmp_path / "test"
    shutil.copytree(data / "test", test)
    tuning_ids = [line.split(",")[0] for line in (data / "tuning_labels.csv").read_text().split()]
    victim = next(p for p in test.iterdir() if p.stem == tuning_ids[0])
    victim.unlink()
    truncated_jpeg(test / f"{tuning_ids[0]}.jpg")
    out = tmp_path / "adapted"
    capfd.readouterr()
    argv = ["adapt", "--run", str(dataset / "run"), "--images", str(test), "--out", str(out)]
    argv += ["--tuning-labels", str(data / "tuning_labels.csv"), "--mode", "thresholds"]
    rc = vision_main([*argv, "--quiet"])
    err = capfd.readouterr().err
    assert rc == 0, err[-3000:]
    manifest = json.loads((out / "adaptation.json").read_text())
    assert manifest["tuning_images_missing"] == [tuning_ids[0]]
    assert f"{tuning_ids[0]}.jpg" in err and "Traceback" not in err


def cmyk_jpeg(path: Path) -> None:
    Image.new("CMYK", (40, 40), (0, 255, 255, 0)).save(path, quality=90)


def grey16_png(path: Path) -> None:
    Image.fromarray(np.full((40, 40), 40000, np.uint16)).save(path)


def palette_png(path: Path) -> None:
    pal = Image.new("P", (40, 40), 1)
    pal.putpalette([0, 0, 0, 200, 30, 30] + [0] * 762)
    pal.save(path, transparency=0)


def rotated_jpeg(path: Path) -> None:
    img = Image.new("RGB", (40, 30), (10, 200, 10))
    exif = img.getexif()
    exif[0x0112] = 3
    img.save(path, exif=exif.tobytes())


@pytest.mark.parametrize("use_cache", [False, True])
def test_training_folder_with_every_kind_of_file(dataset, tmp_path, capfd, use_cache):
    """Good files in unusual modes are used; a zero-byte file and a text file named .jpg are
    skipped and listed, with or without the cache."""
    data = copy_data(dataset, tmp_path / "data")
    train_dir = data / "train"
    writers = [cmyk_jpeg, grey16_png, palette_png, rotated_jpeg]
    exts = [".jpg", ".png", ".png", ".jpg"]
    good = [replace_image(train_dir, k, e, w) for k, (w, e) in enumerate(zip(writers, exts))]
    empty = replace_image(train_dir, 4, ".jpg", lambda p: p.write_bytes(b""))
    text = replace_image(train_dir, 5, ".jpg", lambda p: p.write_text("not a JPEG\n"))
    extra = ["--max-bad-fraction", "0.1"]
    if use_cache:
        extra += ["--cache-dir", str(tmp_path / "cache"), "--workers", "2"]
    capfd.readouterr()
    rc = train(data, tmp_path / "run", *extra)
    err = capfd.readouterr().err
    assert rc == 0, err[-3000:]
    rows = bad_rows(tmp_path / "run" / "bad_images.csv")
    assert sorted(rows) == sorted([empty, text])
    assert all("cannot identify image file" in r for r in rows.values())
    assert not set(good) & set(rows)
    assert "Traceback" not in err


def test_too_many_bad_images_stop_with_one_line_naming_the_flag(dataset, tmp_path, capfd):
    data = copy_data(dataset, tmp_path / "data")
    for k in range(5):
        replace_image(data / "train", k, ".jpg", lambda p: p.write_text("x"))
    capfd.readouterr()
    assert train(data, tmp_path / "run") == 2
    err = capfd.readouterr().err.strip().splitlines()
    assert err[-1].startswith("vision: error: ") and "raise --max-bad-fraction" in err[-1]
    assert "4 of 39 images are missing or corrupt" in err[-1]  # one synth image has no label
    assert not any("Traceback" in line for line in err)


@pytest.mark.realdata
def test_case_scripts_exif_portrait_and_huge_png(shared_data, dataset, tmp_path, capfd):
    """The cases' own inputs: the EXIF portrait with and without the cache, and the real
    182-megapixel PNG at Pillow's default limit in prediction (about 5 s, 200 MB)."""
    exif_case = CASES / "exif-orientation"
    if not exif_case.is_dir():
        pytest.skip(f"{CASES} is absent")
    script = exif_case / "show_base_image.py"
    root = Path(__file__).resolve().parents[2]
    shown = subprocess.run(
        [sys.executable, str(script), str(exif_case), "portrait"],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout
    assert shown.splitlines() == [
        "as displayed: 48x96, top blue, bottom red",
        "base image 32x32: top-left blue, top-right blue, bottom-left red, bottom-right red",
    ]
    from vision.data import ImageFolderDataset

    folder = tmp_path / "portrait"
    folder.mkdir()
    shutil.copy(exif_case / "portrait.jpg", folder)
    ds = ImageFolderDataset(folder, ["portrait"], image_size=32, cache_dir=tmp_path / "c")
    base = ds.base_image(0).astype(int)
    blue, red = np.array(BLUE_RGB), np.array(RED_RGB)
    for (y, x), want in zip([(2, 2), (2, 29), (29, 2), (29, 29)], [blue, blue, red, red]):
        assert np.abs(base[y, x] - want).max() < 90

    test = tmp_path / "test"
    shutil.copytree(dataset / "data" / "test", test)
    victim = sorted(test.iterdir())[0]
    victim.unlink()
    subprocess.run(
        [
            sys.executable,
            str(CASES / "decompression-bomb-image" / "make_huge_png.py"),
            str(test / f"{victim.stem}.png"),
        ],
        check=True,
    )
    out = tmp_path / "submission.csv"
    argv = ["predict", "--run", str(dataset / "run"), "--images", str(test), "--out", str(out)]
    argv += ["--sample-submission", str(dataset / "data" / "sample_submission.csv"), "--quiet"]
    capfd.readouterr()
    assert vision_main(argv) == 0
    cap = capfd.readouterr()
    assert len(out.read_text().splitlines()) == 13
    assert f"{victim.stem}.png" in cap.err and "182,000,000 pixels" in cap.err
    assert "Traceback" not in cap.err


BLUE_RGB, RED_RGB = (0, 0, 255), (255, 0, 0)
