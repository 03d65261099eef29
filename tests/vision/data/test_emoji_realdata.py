"""The real emoji benchmark (../shared/data/emoji-google-to-twitter) loads as it is."""

from __future__ import annotations

import pytest
import torch

from vision.data import (
    DataLayout,
    ImageFolderDataset,
    build_transform,
    load_targets,
    read_class_descriptions,
    read_classes_trainable,
    read_solution,
    read_submission,
    read_tuning_labels,
    targets_matrix,
)

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def emoji(shared_data):
    root = shared_data / "emoji-google-to-twitter"
    if not root.is_dir():
        pytest.skip(f"{root} is absent")
    return DataLayout(root)


def test_emoji_annotations(emoji):
    vocab = read_class_descriptions(emoji.class_descriptions)
    assert len(vocab) == 429 and vocab["LabelName"].str.startswith("/e/").all()
    codes = read_classes_trainable(emoji.classes_trainable, vocabulary=set(vocab["LabelName"]))
    assert len(codes) == 429
    df = load_targets(emoji.root, "seed")
    assert df["ImageID"].nunique() == 3601 and set(df["LabelName"]) <= set(codes)
    ids, targets, mask = targets_matrix(df, codes)
    assert targets.shape == (3601, 429) and mask is None
    assert targets.nnz == len(load_targets(emoji.root, "human"))
    tuning = read_tuning_labels(emoji.tuning_labels, vocabulary=set(codes))
    solution = read_solution(emoji.test_solutions)
    submission = read_submission(emoji.sample_submission)
    assert len(tuning) == 100 and len(solution) == 1671 and len(submission) == 1771
    assert set(tuning) | set(solution) == set(submission)


def test_emoji_images(emoji):
    df = load_targets(emoji.root, "human")
    codes = read_classes_trainable(emoji.classes_trainable)
    ids, targets, _ = targets_matrix(df, codes)
    ds = ImageFolderDataset(
        emoji.train_dir, ids[:64], targets[:64], transform=build_transform("train")
    )
    assert len(ds) == 64 and not ds.bad
    image, target, mask = ds[0]
    assert image.shape == (3, 64, 64) and target.shape == (429,) and target.sum() >= 1
    test = ImageFolderDataset(emoji.test_dir, sorted(read_tuning_labels(emoji.tuning_labels))[:16])
    assert test[0][0].shape == (3, 64, 64) and test[0][1].shape == (0,)
    # RGBA emoji are composited on white: the corners are background.
    base = ds.base_image(0)
    assert (base[0, 0] == 255).all() and torch.is_tensor(image)
