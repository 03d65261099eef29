"""--device resolution (the CUDA branch without a GPU), --amp and --channels-last on CPU.

No test needs a GPU: the CUDA branch is checked by its error where CUDA is absent and, with
``torch.cuda`` answers monkeypatched, by which device and precision it picks.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from corpora.errors import InputError
from vision.checkpoint import load_checkpoint
from vision.cli import main as vision_main
from vision.inference import Predictor
from vision.models import MultiLabelClassifier
from vision.resolve_device import resolve_device
from vision.train import TrainConfig, Trainer
from vision.train._distributed import DistContext
from vision.train.device import place_batch, place_model
from vision.train.mixed_precision import MixedPrecision, parse_amp

NO_CUDA = not torch.cuda.is_available()


def _cfg(data, out, **kw) -> TrainConfig:
    base = dict(
        data=str(data),
        out=str(out),
        backbone="test_cnn",
        head="linear",
        image_size=16,
        epochs=1,
        batch_size=4,
        val_fraction=0.25,
        quiet=True,
        warmup_epochs=0.5,
    )
    base.update(kw)
    return TrainConfig(**base)


def test_resolve_device_spellings():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(" CPU ") == torch.device("cpu")
    assert resolve_device("auto") == torch.device("cuda" if not NO_CUDA else "cpu")
    with pytest.raises(InputError, match=r"unknown --device 'gpu'; use cpu, cuda, cuda:N, mps"):
        resolve_device("gpu")


@pytest.mark.skipif(not NO_CUDA, reason="checks the message where CUDA is absent")
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_cuda_without_a_gpu_is_one_line(device):
    with pytest.raises(InputError, match=rf"--device {device}: no CUDA GPU is visible") as err:
        resolve_device(device)
    assert "\n" not in str(err.value) and "--device cpu" in str(err.value)


def test_cuda_branch_is_selected(monkeypatch):
    """With CUDA reported present, --device cuda/auto pick it, a missing index is refused,
    and DistContext binds the process to its GPU (the local rank's under torchrun)."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("auto") == torch.device("cuda")
    assert resolve_device("cuda:1") == torch.device("cuda", 1)
    with pytest.raises(InputError, match=r"only 2 CUDA device\(s\).*cuda:0\.\.cuda:1"):
        resolve_device("cuda:2")
    bound = []
    monkeypatch.setattr(torch.cuda, "set_device", bound.append)
    for var in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(var, raising=False)
    assert DistContext.from_env("cuda:1").device == torch.device("cuda", 1)
    monkeypatch.setenv("WORLD_SIZE", "1")
    monkeypatch.setenv("LOCAL_RANK", "0")
    assert DistContext.from_env("auto").device == torch.device("cuda", 0)
    assert bound == [torch.device("cuda", 1), torch.device("cuda", 0)]


def test_mixed_precision_choices(monkeypatch):
    assert parse_amp(False) == parse_amp(None) == parse_amp("off") == "off"
    assert parse_amp(True) == parse_amp("auto") == "auto"
    assert parse_amp("bfloat16") == "bf16" and parse_amp("half") == "fp16"
    with pytest.raises(InputError, match=r"unknown --amp 'fp8'; use one of off, auto, bf16, fp16"):
        parse_amp("fp8")
    cpu = torch.device("cpu")
    assert MixedPrecision.of("off", cpu).dtype is None
    assert MixedPrecision.of("auto", cpu).dtype == torch.bfloat16
    assert not MixedPrecision.of("bf16", cpu).needs_scaler
    fp16 = MixedPrecision.of("fp16", cpu)
    assert fp16.dtype == torch.float16 and fp16.needs_scaler and fp16.grad_scaler().is_enabled()
    # on CUDA, auto is bf16 where the GPU has it (Ampere+), else fp16 with a GradScaler
    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    assert MixedPrecision.of("auto", cuda).dtype == torch.bfloat16
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    old_gpu = MixedPrecision.of(True, cuda)
    assert old_gpu.dtype == torch.float16 and old_gpu.needs_scaler
    with pytest.raises(InputError, match="unknown --amp"):
        TrainConfig(data="d", out="o", amp="fp8")


@pytest.mark.skipif(not NO_CUDA, reason="checks the message where CUDA is absent")
def test_train_device_cuda_fails_with_one_line(micro_data, tmp_path, capsys):
    with pytest.raises(InputError, match="no CUDA GPU is visible"):
        Trainer(_cfg(micro_data, tmp_path / "t", device="cuda"))
    argv = ["train", "--data", str(micro_data), "--out", str(tmp_path / "r"), "--graph", "identity"]
    argv += ["--backbone", "test_cnn", "--image-size", "16", "--epochs", "1", "--quiet"]
    argv += ["--device", "cuda", "--amp", "--channels-last"]
    assert vision_main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--device cuda: no CUDA GPU is visible" in err[0], err
    assert not (tmp_path / "r" / "last.pt").exists()


def _conv_weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [p for p in model.parameters() if p.dim() == 4]


@pytest.mark.parametrize("amp", ["bf16", "fp16"])
def test_amp_on_cpu_trains_and_resumes(micro_data, tmp_path, amp):
    """bf16 autocast on CPU; fp16 (with a GradScaler on CPU) likewise; weights and
    checkpoints stay float32, the scaler state is saved and restored."""
    out = tmp_path / amp
    trainer = Trainer(_cfg(micro_data, out, amp=amp, epochs=2, stop_after_steps=None))
    assert trainer.precision.dtype == {"bf16": torch.bfloat16, "fp16": torch.float16}[amp]
    assert trainer.use_scaler == (amp == "fp16")
    res = Trainer.fit(trainer)
    assert np.isfinite(res["train_loss"]) and np.isfinite(res["val_loss"])
    ckpt = load_checkpoint(out / "last.pt")
    assert all(v.dtype == torch.float32 for v in ckpt["model"].values() if v.is_floating_point())
    assert (ckpt["scaler"] is not None) == (amp == "fp16")
    resumed = Trainer(_cfg(micro_data, out, amp=amp, epochs=3, resume=True))
    if amp == "fp16":
        assert resumed.scaler.get_scale() == pytest.approx(ckpt["scaler"]["scale"])
    assert resumed.fit()["epoch"] == 3


def test_channels_last_on_cpu_gives_the_same_training(micro_data, tmp_path):
    plain = Trainer(_cfg(micro_data, tmp_path / "plain", epochs=2))
    nhwc = Trainer(_cfg(micro_data, tmp_path / "nhwc", epochs=2, channels_last=True))
    weights = _conv_weights(nhwc.model)
    assert weights and all(w.is_contiguous(memory_format=torch.channels_last) for w in weights)
    a, b = plain.fit(), nhwc.fit()
    for key in ("train_loss", "val_loss", "val_f2"):
        assert b[key] == pytest.approx(a[key], rel=1e-4, abs=1e-5), key


def test_train_step_matches_fit_loss(micro_data, tmp_path):
    trainer = Trainer(_cfg(micro_data, tmp_path / "s"))
    images, target, mask = next(iter(trainer._loader(0, 0)))
    value = trainer.train_step(images, target, mask)
    assert np.isfinite(value) and trainer.step == 0  # the bookkeeping stays with fit()


def test_cli_amp_and_channels_last_flags(tmp_path):
    from vision.cli import get_args_parser
    from vision.cli._train import config_from_args

    parser = get_args_parser()
    base = ["train", "--data", "d", "--out", str(tmp_path / "o"), "--graph", "identity"]
    assert config_from_args(parser.parse_args(base)).amp == "off"
    cfg = config_from_args(parser.parse_args([*base, "--amp", "--channels-last"]))
    assert cfg.amp == "auto" and cfg.channels_last
    assert config_from_args(parser.parse_args([*base, "--amp", "fp16"])).amp == "fp16"


def test_predictor_amp_and_channels_last_on_cpu():
    margs = {
        "backbone": "test_cnn",
        "backbone_kwargs": {},
        "head": "linear",
        "head_kwargs": {},
        "num_labels": 5,
    }
    torch.manual_seed(0)
    model = MultiLabelClassifier.from_args(margs, None).eval()
    x = torch.randn(6, 3, 16, 16)
    p32, f32 = Predictor(model, 16, tta="flip", progress=False).predict_tensor(x)
    p_cl, _ = Predictor(model, 16, tta="flip", progress=False, channels_last=True).predict_tensor(x)
    np.testing.assert_allclose(p_cl, p32, rtol=1e-5, atol=1e-6)
    p_bf, f_bf = Predictor(model, 16, tta="flip", progress=False, amp="bf16").predict_tensor(x)
    assert p_bf.dtype == np.float32 and f_bf.dtype == np.float32
    np.testing.assert_allclose(p_bf, p32, atol=0.03)
    assert place_batch(x, torch.device("cpu"), True).is_contiguous(
        memory_format=torch.channels_last
    )
    assert place_model(model, torch.device("cpu")) is model
