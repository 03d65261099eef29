"""vision synth: complete layout re-read by the readers, determinism, shift, context labels."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from PIL import Image

from corpora.errors import InputError
from vision.cli import main as vision_main
from vision.data import (
    DataLayout,
    ImageFolderDataset,
    ReadReport,
    load_targets,
    read_bounding_boxes,
    read_class_descriptions,
    read_classes_trainable,
    read_human_labels,
    read_machine_labels,
    read_solution,
    read_submission,
    read_tuning_labels,
    targets_matrix,
)
from vision.data._synth_vocabulary import CODE, EXTRA_VOCABULARY, SYNTH_LABELS
from vision.data.synth_dataset import generate_synth_dataset

KW = {"images": 40, "image_size": 32, "test_images": 15, "tuning_images": 4, "progress": False}


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "data"
    generate_synth_dataset(out, seed=7, **KW)
    return DataLayout(out)


def digest(folder):
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_layout_reread_by_readers(synth):
    vocab = read_class_descriptions(synth.class_descriptions)
    assert len(vocab) == len(SYNTH_LABELS) + len(EXTRA_VOCABULARY)
    assert vocab["LabelName"].iloc[0] == CODE["Person"]  # no header line mistaken for a row
    assert not synth.class_descriptions.read_text().startswith("label")
    codes = read_classes_trainable(synth.classes_trainable)
    assert codes == [c for c, _ in SYNTH_LABELS]
    known = set(codes)
    reports = [ReadReport() for _ in range(6)]
    human = read_human_labels(synth.human_labels, vocabulary=known, report=reports[0])
    machine = read_machine_labels(synth.machine_labels, vocabulary=known, report=reports[1])
    boxes = read_bounding_boxes(synth.bounding_boxes, vocabulary=known, report=reports[2])
    tuning = read_tuning_labels(synth.tuning_labels, vocabulary=known, report=reports[3])
    solution = read_solution(synth.test_solutions, vocabulary=known, report=reports[4])
    submission = read_submission(synth.sample_submission)
    assert all(r.unknown_rows == 0 and r.bad_rows == 0 for r in reports)
    train_ids = {p.stem for p in synth.train_dir.glob("*.png")}
    test_ids = {p.stem for p in synth.test_dir.glob("*.jpg")}
    assert len(train_ids) == 40 and len(test_ids) == 15 and not train_ids & test_ids
    assert set(human["ImageID"]) == train_ids  # every image has a verified positive
    assert set(machine["ImageID"]) <= train_ids and set(boxes["ImageID"]) <= train_ids
    assert (human["Confidence"] == 0).any() and set(human["Confidence"]) <= {0.0, 1.0}
    assert machine["Confidence"].between(0.5, 0.99).all()
    assert len(boxes) > 0 and (boxes["XMin"] < boxes["XMax"]).all()
    assert len(tuning) == 4 and len(solution) == 11
    assert set(tuning) | set(solution) == set(submission) == test_ids
    assert all(v == [] for v in submission.values())
    for img in (next(synth.train_dir.glob("*.png")), next(synth.test_dir.glob("*.jpg"))):
        with Image.open(img) as im:
            assert im.size == (32, 32)


def test_policies_and_datasets_on_synth(synth):
    codes = read_classes_trainable(synth.classes_trainable)
    sizes = {}
    for policy in ("seed", "precedence", "human"):
        df = load_targets(synth.root, policy)
        assert set(df["LabelName"]) <= set(codes)
        sizes[policy] = len(df)
    prec = load_targets(synth.root, "precedence")
    assert (prec["Target"] == 0).any()  # hard negatives from human Confidence=0
    assert sizes["human"] < sizes["precedence"]
    ids, targets, mask = targets_matrix(prec, codes)
    assert mask is not None and targets.shape == (40, len(codes))
    ds = ImageFolderDataset(synth.train_dir, ids, targets, hard_negatives=mask, image_size=32)
    image, target, m = ds[0]
    assert image.shape == (3, 32, 32) and target.shape == (len(codes),)
    test = ImageFolderDataset(
        synth.test_dir, sorted(read_tuning_labels(synth.tuning_labels)), image_size=32
    )
    assert len(test) == 4 and test[0][1].shape == (0,)


def test_context_labels_and_shift(synth):
    truth = read_tuning_labels(synth.tuning_labels) | read_solution(synth.test_solutions)
    human = read_human_labels(synth.human_labels)
    pos = human.loc[human["Confidence"] == 1]
    train_truth = pos.groupby("ImageID")["LabelName"].apply(set).to_dict()
    roles = ("Shopkeeper", "Farmer", "Pedestrian", "Swimmer", "Chef", "Jockey")
    for labels in list(truth.values()):
        labels = set(labels)
        for role in roles:
            if CODE[role] in labels:
                assert CODE["Person"] in labels
    # Human labels are a subset of the truth, so check the scene implication on the test truth:
    for labels in truth.values():
        if CODE["Shopkeeper"] in labels:
            assert CODE["Grocery store"] in labels
        if CODE["Farmer"] in labels:
            assert CODE["Farm"] in labels
    assert train_truth  # non-empty

    # Appearance shift: the test region is warmer (less blue) and noisier.
    def mean_rgb(folder, pattern):
        arrs = [
            np.asarray(Image.open(p).convert("RGB"), np.float32)
            for p in sorted(folder.glob(pattern))
        ]
        return np.mean([a.reshape(-1, 3).mean(0) for a in arrs], axis=0)

    tr, te = mean_rgb(synth.train_dir, "*.png"), mean_rgb(synth.test_dir, "*.jpg")
    assert (tr[2] - tr[0]) - (te[2] - te[0]) > 10


def test_label_frequencies_shift_in_a_larger_region(tmp_path):
    import json

    s = generate_synth_dataset(
        tmp_path / "d", images=200, image_size=16, test_images=200, seed=1, progress=False
    )
    m = json.loads((tmp_path / "d" / "synth_manifest.json").read_text())
    assert m["counts"]["train_images"] == 200 and s.test_images == 200
    train, test = m["scenes"]["train"], m["scenes"]["test"]
    assert test["beach"] > 1.5 * train["beach"] and train["grocery"] > 1.5 * test["grocery"]


def test_deterministic_by_seed(tmp_path):
    a = generate_synth_dataset(tmp_path / "a", seed=5, **KW)
    generate_synth_dataset(tmp_path / "b", seed=5, **KW)
    generate_synth_dataset(tmp_path / "c", seed=6, **KW)
    assert a.train_images == 40
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


def test_fewer_labels(tmp_path):
    generate_synth_dataset(tmp_path / "d", labels=8, seed=2, **KW)
    lay = DataLayout(tmp_path / "d")
    codes = read_classes_trainable(lay.classes_trainable)
    assert codes == [c for c, _ in SYNTH_LABELS[:8]]
    used = set(read_human_labels(lay.human_labels)["LabelName"])
    used |= set(read_machine_labels(lay.machine_labels)["LabelName"])
    used |= set(read_bounding_boxes(lay.bounding_boxes)["LabelName"])
    assert used <= set(codes)
    with pytest.raises(InputError, match=r"--labels must be in \[5, 47\], not 100"):
        generate_synth_dataset(tmp_path / "e", labels=100)


def test_cli(tmp_path, capsys):
    out = tmp_path / "cli"
    argv = [
        "synth",
        "--out",
        str(out),
        "--images",
        "12",
        "--image-size",
        "24",
        "--seed",
        "1",
        "--quiet",
    ]
    assert vision_main(argv) == 0
    assert '"train_images": 12' in capsys.readouterr().out
    assert (out / "config.yaml").is_file() and (out / "train_human_labels.csv").is_file()
    assert vision_main(argv) == 2
    assert "exists and is not empty" in capsys.readouterr().err
    assert vision_main([*argv, "--overwrite"]) == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    assert vision_main(["synth", "--out", str(other), "--overwrite", "--quiet"]) == 2
    assert (other / "keep.txt").read_text() == "mine"


@pytest.mark.realdata
def test_synth_codes_are_real_open_images_codes(shared_data):
    oi = shared_data / "openimages"
    if not oi.is_dir():
        pytest.skip(f"{oi} is absent")
    vocab = read_class_descriptions(oi / "class-descriptions.csv")
    names = dict(zip(vocab["LabelName"], vocab["DisplayName"]))
    trainable = set(read_classes_trainable(oi / "classes-trainable.csv"))
    for code, name in SYNTH_LABELS + EXTRA_VOCABULARY:
        assert names.get(code) == name, (code, name)
    assert {c for c, _ in SYNTH_LABELS} <= trainable
