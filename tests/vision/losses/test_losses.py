"""Losses against reference computations."""

from __future__ import annotations

import itertools
import math

import pytest
import torch
import torch.nn.functional as F

from corpora.errors import InputError
from vision.losses import create_loss, list_losses, soft_fbeta


def _data(seed=0, b=4, n=6):
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(b, n, generator=g) * 2
    y = (torch.rand(b, n, generator=g) < 0.4).float()
    y[0] = 0
    y[0, 1] = 1
    return logits, y


def test_registry():
    assert {"bce", "asl", "softmax", "softf2"} <= set(list_losses())
    with pytest.raises(InputError, match="unknown loss"):
        create_loss("hinge")


def test_bce_matches_torch_with_pos_weight_and_mask():
    logits, y = _data()
    pw = torch.tensor([1.0, 2.0, 3.0, 0.5, 1.0, 4.0])
    ref = F.binary_cross_entropy_with_logits(logits, y, pos_weight=pw)
    torch.testing.assert_close(create_loss("bce", pos_weight=pw)(logits, y), ref)
    mask = torch.ones_like(y)
    mask[:, 0] = 0
    ref_m = F.binary_cross_entropy_with_logits(logits[:, 1:], y[:, 1:], pos_weight=pw[1:])
    torch.testing.assert_close(create_loss("bce", pos_weight=pw)(logits, y, mask), ref_m)


def test_asl_matches_hand_formula_including_soft_targets():
    logits, y = _data(1)
    y_soft = y * 0.8 + 0.1
    gp, gn, clip = 1.0, 4.0, 0.05
    total = 0.0
    for b, k in itertools.product(range(4), range(6)):
        p = 1 / (1 + math.exp(-logits[b, k].item()))
        pm = max(p - clip, 0.0)
        t = y_soft[b, k].item()
        total += -(t * (1 - p) ** gp * math.log(p) + (1 - t) * pm**gn * math.log(1 - pm))
    loss = create_loss("asl", gamma_pos=gp, gamma_neg=gn, clip=clip)(logits, y_soft)
    assert loss.item() == pytest.approx(total / 24, rel=1e-5)


def test_asl_without_focusing_is_bce():
    logits, y = _data(2)
    loss = create_loss("asl", gamma_pos=0, gamma_neg=0, clip=0)(logits, y)
    torch.testing.assert_close(loss, F.binary_cross_entropy_with_logits(logits, y))


def test_softmax_matches_manual_each_positive_against_negatives():
    logits, y = _data(3)
    y[2] = 0  # an image without positives is skipped
    per_image = []
    for b in range(4):
        pos = [k for k in range(6) if y[b, k] == 1]
        neg = [k for k in range(6) if y[b, k] == 0]
        if not pos:
            continue
        terms = []
        for j in pos:
            den = math.exp(logits[b, j]) + sum(math.exp(logits[b, k]) for k in neg)
            terms.append(-math.log(math.exp(logits[b, j]) / den))
        per_image.append(sum(terms) / len(terms))
    loss = create_loss("softmax")(logits, y)
    assert loss.item() == pytest.approx(sum(per_image) / len(per_image), rel=1e-5)


def test_softmax_single_positive_is_cross_entropy():
    logits = torch.randn(3, 5)
    cls = torch.tensor([0, 3, 4])
    y = F.one_hot(cls, 5).float()
    torch.testing.assert_close(create_loss("softmax")(logits, y), F.cross_entropy(logits, cls))


def _exact_f2(pred: list[int], truth: list[int]) -> float:
    tp = sum(p and t for p, t in zip(pred, truth))
    fp = sum(p and not t for p, t in zip(pred, truth))
    fn = sum(t and not p for p, t in zip(pred, truth))
    if tp + fp + fn == 0:
        return 1.0
    if tp == 0:
        return 0.0
    prec, rec = tp / (tp + fp), tp / (tp + fn)
    return 5 * prec * rec / (4 * prec + rec)


def test_soft_f2_equals_exact_f2_on_hard_probabilities():
    g = torch.Generator().manual_seed(4)
    pred = (torch.rand(50, 7, generator=g) < 0.4).float()
    truth = (torch.rand(50, 7, generator=g) < 0.3).float()
    got = soft_fbeta(pred, truth)
    want = [_exact_f2(p.int().tolist(), t.int().tolist()) for p, t in zip(pred, truth)]
    torch.testing.assert_close(got, torch.tensor(want), rtol=1e-5, atol=1e-5)
    # the loss on saturated logits is 1 - mean exact F2
    loss = create_loss("softf2")((pred * 2 - 1) * 100, truth)
    assert loss.item() == pytest.approx(1 - sum(want) / len(want), abs=1e-5)


@pytest.mark.parametrize("name", ["bce", "asl", "softmax", "softf2"])
def test_losses_differentiable_and_respect_mask(name):
    logits, y = _data(5)
    logits.requires_grad_(True)
    mask = torch.ones_like(y)
    mask[:, 5] = 0
    loss = create_loss(name)(logits, y, mask)
    assert torch.isfinite(loss)
    loss.backward()
    assert logits.grad[:, :5].abs().sum() > 0
    assert logits.grad[:, 5].abs().sum() == 0
