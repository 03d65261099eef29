"""TTA views and probabilities; ensemble votes and vocabulary checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from corpora.errors import InputError
from vision.inference.ensemble import check_same_vocabulary, create_vote, list_votes
from vision.inference.tta import create_tta, list_tta, tta_probabilities


class _MeanColour(nn.Module):
    """Logits = [mean of left half, mean of right half] of channel 0: flip-sensitive."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = x.shape[-1]
        return torch.stack(
            [x[:, 0, :, : w // 2].mean((1, 2)), x[:, 0, :, w // 2 :].mean((1, 2))], 1
        )


@pytest.mark.parametrize(
    "name,n_views", [("none", 1), ("flip", 2), ("crops", 6), ("flip+crops", 12)]
)
def test_view_counts_and_shapes(name, n_views):
    x = torch.rand(2, 3, 16, 16)
    views = create_tta(name)(x)
    assert len(views) == n_views
    assert all(v.shape == x.shape for v in views)


def test_flip_tta_averages_mirrored_probabilities():
    x = torch.zeros(1, 3, 8, 8)
    x[..., :4] = 2.0  # left half bright
    model = _MeanColour()
    p = tta_probabilities(model, x, "flip")
    s2, s0 = torch.sigmoid(torch.tensor(2.0)), torch.sigmoid(torch.tensor(0.0))
    assert p.shape == (1, 2)
    torch.testing.assert_close(p, torch.full((1, 2), float((s2 + s0) / 2)))
    offset = torch.tensor([1.0, -1.0])
    p_off = tta_probabilities(model, x, "none", logit_offset=offset)
    torch.testing.assert_close(p_off, torch.sigmoid(torch.tensor([[3.0, -1.0]])))
    with pytest.raises(InputError, match="unknown TTA"):
        create_tta("rotate")
    assert "flip+crops" in list_tta()


def test_ensemble_mean_and_majority():
    a = np.array([[0.9, 0.2], [0.4, 0.6]])
    b = np.array([[0.7, 0.6], [0.2, 0.8]])
    c = np.array([[0.1, 0.7], [0.3, 0.9]])
    mean = create_vote("mean")([a, b, c], None)
    np.testing.assert_allclose(mean.scores, (a + b + c) / 3)
    assert mean.decisions is None
    dec = [p >= 0.5 for p in (a, b, c)]
    maj = create_vote("majority")([a, b, c], dec)
    assert maj.decisions.tolist() == [[True, True], [False, True]]
    assert maj.scores.shape == (2, 2)
    with pytest.raises(InputError, match="shape"):
        create_vote("mean")([a, np.zeros((3, 2))], None)
    assert list_votes() == ["mean", "majority"]


def test_vocabulary_mismatch_is_a_clear_error():
    assert check_same_vocabulary([("r1", ["a", "b"]), ("r2", ["a", "b"])]) == ["a", "b"]
    with pytest.raises(InputError, match="r2 has a different label vocabulary.*label #1 is 'c'"):
        check_same_vocabulary([("r1", ["a", "b"]), ("r2", ["a", "c"])])
    with pytest.raises(InputError, match="3 labels vs 2"):
        check_same_vocabulary([("r1", ["a", "b"]), ("r2", ["a", "b", "c"])])
