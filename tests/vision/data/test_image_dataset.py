"""ImageFolderDataset: formats, colour handling, targets/masks, bad images, transform presets."""

from __future__ import annotations

import logging

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from PIL import Image

from corpora.errors import CorruptInputError, InputError
from vision.data import ImageFolderDataset, build_transform, list_transforms


def make_images(folder):
    folder.mkdir(parents=True, exist_ok=True)
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:5, :, 3] = 0  # top half fully transparent -> white
    rgba[5:, :, 3] = 255  # bottom half opaque red-ish
    Image.fromarray(rgba, "RGBA").save(folder / "rgba.png")
    Image.fromarray(np.full((12, 8), 77, np.uint8), "L").save(folder / "grey.jpg", quality=100)
    rgb = np.zeros((16, 16, 3), np.uint8)
    rgb[:, 8:] = (0, 0, 255)
    Image.fromarray(rgb).save(folder / "halves.webp", lossless=True)
    pal = Image.fromarray(np.full((6, 6, 3), (10, 20, 30), np.uint8)).convert(
        "P", palette=Image.Palette.ADAPTIVE
    )
    pal.save(folder / "pal.png")
    (folder / "notes.txt").write_text("not an image")


def test_colour_handling_and_base_images(tmp_path):
    make_images(tmp_path / "img")
    ds = ImageFolderDataset(tmp_path / "img", image_size=8)
    assert ds.image_ids == ["grey", "halves", "pal", "rgba"]  # sorted, .txt ignored
    base = {i: ds.base_image(k) for k, i in enumerate(ds.image_ids)}
    assert all(b.shape == (8, 8, 3) and b.dtype == np.uint8 for b in base.values())
    assert (base["rgba"][0] == 255).all()  # transparent composited on white
    np.testing.assert_array_equal(base["rgba"][-1], np.tile([200, 0, 0], (8, 1)))
    g = base["grey"].astype(int)
    assert (g[..., 0] == g[..., 1]).all() and (g[..., 1] == g[..., 2]).all()
    assert abs(g.mean() - 77) <= 2
    assert (base["halves"][:, :3] == [0, 0, 0]).all() and (
        base["halves"][:, 5:] == [0, 0, 255]
    ).all()
    np.testing.assert_array_equal(base["pal"][0, 0], [10, 20, 30])


def test_items_targets_and_masks(tmp_path):
    make_images(tmp_path / "img")
    ids = ["rgba", "grey", "halves"]
    targets = sp.csr_matrix(np.array([[1, 0, 0.5], [0, 0, 0], [0, 1, 0]], np.float32))
    hard = sp.csr_matrix(np.array([[0, 1, 0], [0, 0, 0], [0, 0, 0]], np.float32))
    ds = ImageFolderDataset(
        tmp_path / "img",
        ids,
        targets,
        image_size=8,
        hard_negatives=hard,
        hard_negative_weight=0.0,
        unlabeled_weight=0.25,
    )
    assert len(ds) == 3 and ds.num_labels == 3
    image, target, mask = ds[0]
    assert image.shape == (3, 8, 8) and image.dtype == torch.float32
    assert torch.equal(target, torch.tensor([1, 0, 0.5]))
    assert torch.equal(mask, torch.tensor([1, 0.0, 1]))  # positive, hard negative, soft positive
    assert torch.equal(ds[1][2], torch.full((3,), 0.25))
    default = ImageFolderDataset(tmp_path / "img", ids, targets, image_size=8, hard_negatives=hard)
    assert torch.equal(default[0][2], torch.ones(3))
    batch = torch.utils.data.default_collate([default[0], default[1]])
    assert batch[0].shape == (2, 3, 8, 8) and batch[1].shape == (2, 3)


def test_without_targets_items_are_empty(tmp_path):
    make_images(tmp_path / "img")
    ds = ImageFolderDataset(tmp_path / "img", ["halves"], image_size=8)
    image, target, mask = ds[0]
    assert target.shape == (0,) and mask.shape == (0,) and ds.num_labels == 0


def test_ids_with_extension_and_shape_errors(tmp_path):
    make_images(tmp_path / "img")
    assert len(ImageFolderDataset(tmp_path / "img", ["rgba.png"], image_size=8)) == 1
    with pytest.raises(InputError, match="targets has 2 rows but there are 1 image ids"):
        ImageFolderDataset(tmp_path / "img", ["rgba"], sp.csr_matrix((2, 3)), image_size=8)
    with pytest.raises(InputError, match="image folder .* does not exist"):
        ImageFolderDataset(tmp_path / "nope")


def test_bad_images_skipped_counted_reported(tmp_path, caplog):
    make_images(tmp_path / "img")
    (tmp_path / "img" / "garbage.png").write_bytes(b"this is not a png")
    ids = ["rgba", "grey", "garbage", "missing", "halves", "pal"]
    targets = sp.csr_matrix(np.eye(6, dtype=np.float32))
    report = tmp_path / "bad.csv"
    with caplog.at_level(logging.WARNING):
        ds = ImageFolderDataset(
            tmp_path / "img", ids, targets, image_size=8, max_bad_fraction=0.5, bad_report=report
        )
    assert ds.image_ids == ["rgba", "grey", "halves", "pal"]
    assert [b[0] for b in ds.bad] == ["garbage", "missing"] and ds.bad[1][1] == "missing file"
    # Targets follow their images.
    assert torch.equal(ds[2][1], torch.tensor([0, 0, 0, 0, 1, 0], dtype=torch.float32))
    lines = report.read_text().splitlines()
    assert (
        lines[0] == "image_id,reason"
        and lines[1].startswith("garbage,")
        and lines[2] == "missing,missing file"
    )
    assert "skipped 2 of 6 images" in caplog.text
    with pytest.raises(
        InputError, match=r"2 of 6 images are missing or corrupt \(33.3% > max_bad_fraction=10.0%\)"
    ):
        ImageFolderDataset(tmp_path / "img", ids, targets, image_size=8, max_bad_fraction=0.1)


def test_truncated_png_found_by_decode_check_or_raises_on_access(tmp_path):
    make_images(tmp_path / "img")
    data = (tmp_path / "img" / "rgba.png").read_bytes()
    big = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(big).save(tmp_path / "img" / "trunc.png")
    raw = (tmp_path / "img" / "trunc.png").read_bytes()
    (tmp_path / "img" / "trunc.png").write_bytes(raw[: len(raw) // 2])
    assert data  # the good file is untouched
    ds = ImageFolderDataset(
        tmp_path / "img",
        ["rgba", "trunc"],
        image_size=8,
        check_images="decode",
        max_bad_fraction=0.5,
    )
    assert ds.image_ids == ["rgba"]
    ds = ImageFolderDataset(tmp_path / "img", ["rgba", "trunc"], image_size=8, check_images="none")
    with pytest.raises(CorruptInputError, match="cannot decode image .*trunc.png"):
        ds[1]


def test_transform_presets():
    assert list_transforms() == ["eval", "style", "style-stroke", "train"]
    rng = np.random.default_rng(0)
    img = torch.from_numpy(rng.integers(0, 256, (3, 40, 30), dtype=np.uint8))
    ev = build_transform("eval", 16, normalize=False)
    out = ev(img)
    assert out.shape == (3, 16, 16) and out.dtype == torch.float32
    assert 0 <= out.min() and out.max() <= 1
    assert torch.equal(out, ev(img))  # deterministic
    tr = build_transform("train", 16)
    torch.manual_seed(0)
    a = tr(img)
    b = tr(img)
    assert a.shape == (3, 16, 16) and not torch.equal(a, b)  # random
    assert a.min() < 0  # normalised by default
    # eval preset: centre crop of the resized image.
    flat = torch.zeros(3, 20, 10, dtype=torch.uint8)
    flat[:, 5:15] = 255
    np.testing.assert_allclose(build_transform("eval", 10, normalize=False)(flat).numpy(), 1.0)
    with pytest.raises(InputError, match="unknown transform preset 'big'"):
        build_transform("big")


def test_train_colour_jitter_matches_step_by_step_reference():
    """The folded 3x3 colour map equals brightness, contrast, saturation, hue applied in turn."""
    from vision.data import TrainTransform

    rng = np.random.default_rng(3)
    arr = rng.integers(90, 170, (8, 8, 3), dtype=np.uint8)  # mid-range: no clamping happens
    tf = TrainTransform(
        8, normalize=False, scale=(1, 1), ratio=(1, 1), flip=0.0, jitter=0.2, hue=0.04
    )
    torch.manual_seed(11)
    u = torch.rand(45, dtype=torch.float64).tolist()
    torch.manual_seed(11)
    out = tf(arr).double().numpy()
    x = arr.astype(np.float64).transpose(2, 0, 1) / 255.0
    b, c, s = (0.8 + 0.4 * v for v in u[41:44])
    grey_w = np.array([0.299, 0.587, 0.114])
    x = x * b
    m = (np.tensordot(grey_w, x, axes=1)).mean()
    x = (x - m) * c + m
    g = np.tensordot(grey_w, x, axes=1)
    x = (x - g) * s + g
    yiq = np.array([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    theta = 2 * np.pi * 0.04 * (2 * u[44] - 1)
    rot = np.array(
        [[1, 0, 0], [0, np.cos(theta), -np.sin(theta)], [0, np.sin(theta), np.cos(theta)]]
    )
    x = np.tensordot(np.linalg.inv(yiq) @ rot @ yiq, x, axes=1)
    assert 0 < x.min() and x.max() < 1
    np.testing.assert_allclose(out, x, atol=1e-5)


def test_train_transform_geometry():
    from vision.data import TrainTransform

    arr = np.zeros((8, 8, 3), np.uint8)
    arr[:, :4] = 255  # left half white
    plain = dict(normalize=False, scale=(1, 1), ratio=(1, 1), jitter=0.0, hue=0.0)
    same = TrainTransform(8, flip=0.0, **plain)(arr)
    np.testing.assert_allclose(same.numpy(), arr.transpose(2, 0, 1) / 255.0, atol=1e-6)
    mirrored = TrainTransform(8, flip=1.0, **plain)(arr)
    np.testing.assert_allclose(mirrored.numpy(), arr[:, ::-1].transpose(2, 0, 1) / 255.0, atol=1e-6)
    # Crops of a quarter of the area: every output comes from a 4x4 window, upsampled.
    tf = TrainTransform(8, scale=(0.25, 0.25), ratio=(1, 1), flip=0.0, jitter=0.0, hue=0.0)
    assert tf.crop_box(8, 8, [0.0] * 40)[2:] == (4, 4)
    # Float tensors take the torch path and agree in shape and range.
    x = TrainTransform(8, normalize=False)(torch.rand(3, 12, 10))
    assert x.shape == (3, 8, 8) and 0 <= x.min() and x.max() <= 1


def test_upsampling_matches_torch_bilinear():
    import torch.nn.functional as F

    from vision.data._tensor_image import upsample_rows

    rng = np.random.default_rng(5)
    crop = rng.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    ref = F.interpolate(
        torch.from_numpy(crop.astype(np.float32)).permute(2, 0, 1)[None],
        size=(12, 12),
        mode="bilinear",
        align_corners=False,
    )[0]
    got = upsample_rows(crop, 12, flip=False).reshape(3, 12, 12)
    np.testing.assert_allclose(got, ref.numpy(), atol=1e-3)
    flipped = upsample_rows(crop, 12, flip=True).reshape(3, 12, 12)
    np.testing.assert_allclose(flipped, ref.numpy()[:, :, ::-1], atol=1e-3)


def truncate(path):
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def test_decode_check_in_workers_lazy_skip_and_read_batches(tmp_path, caplog):
    make_images(tmp_path / "img")
    rng = np.random.default_rng(0)
    for name in ("big1", "big2"):
        Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8)).save(
            tmp_path / "img" / f"{name}.jpg"
        )
    truncate(tmp_path / "img" / "big2.jpg")
    ids = ["rgba", "big1", "big2", "grey"]
    targets = sp.csr_matrix(np.eye(4, dtype=np.float32))
    # the decode check (in 2 worker processes) finds the truncated JPEG up front
    checked = ImageFolderDataset(
        tmp_path / "img",
        ids,
        targets,
        image_size=8,
        check_images="decode",
        workers=2,
        max_bad_fraction=0.5,
    )
    assert checked.image_ids == ["rgba", "big1", "grey"] and checked.bad[0][0] == "big2"
    assert "big2.jpg (OSError: image file is truncated" in checked.bad[0][1]
    # the header check lets it through: training skips it lazily, in any loader worker
    lazy = ImageFolderDataset(
        tmp_path / "img", ids, targets, image_size=8, check_images="header", skip_unreadable=True
    )
    assert len(lazy) == 4
    with caplog.at_level(logging.WARNING):
        image, target, _ = lazy[2]
    assert torch.equal(target, torch.tensor([0, 0, 0, 1.0]))  # the next item's, whole
    assert "big2.jpg" in caplog.text and "training on the next image in its place" in caplog.text
    loader = torch.utils.data.DataLoader(lazy, batch_size=2, num_workers=2)
    assert sum(len(b[0]) for b in loader) == 4
    # without skip_unreadable: one error naming the file and the option
    strict = ImageFolderDataset(tmp_path / "img", ids, image_size=8, check_images="none")
    with pytest.raises(CorruptInputError, match=r"big2\.jpg .*--check-images decode"):
        strict[2]
    # read_batches: each file decoded once, failures reported, nothing raised
    bad = []
    got = [(items, x.shape) for items, x in strict.read_batches(3, bad)]
    assert got == [([0, 1], (2, 3, 8, 8)), ([3], (1, 3, 8, 8))]
    assert [b[0] for b in bad] == ["big2"] and "image file is truncated" in bad[0][1]
    bad2 = []
    assert [i for items, _ in strict.read_batches(2, bad2, workers=2) for i in items] == [0, 1, 3]
    assert bad2 == bad
    with pytest.raises(InputError, match="check_images must be one of decode, header, none"):
        ImageFolderDataset(tmp_path / "img", ids, image_size=8, check_images="open")


def test_subset_shares_files_and_cache(tmp_path):
    make_images(tmp_path / "img")
    ds = ImageFolderDataset(
        tmp_path / "img",
        None,
        sp.csr_matrix(np.eye(4, dtype=np.float32)),
        image_size=8,
        cache_dir=tmp_path / "cache",
        progress=False,
    )
    sub = ds.subset([3, 1], transform=build_transform("train", 8))
    assert sub.image_ids == ["rgba", "halves"] and list(sub.kept) == [3, 1]
    np.testing.assert_array_equal(sub.base_image(0), ds.base_image(3))
    assert torch.equal(sub[1][1], ds[1][1]) and sub.cache is ds.cache
