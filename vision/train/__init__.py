"""Training: :class:`TrainConfig` -> :class:`Trainer` -> ``fit()`` (what ``vision train`` runs)."""

from vision.train.ema import ModelEma
from vision.train.train_config import TrainConfig
from vision.train.trainer import Trainer, TrainingDiverged
from vision.train.training_data import TrainingData, load_training_data
from vision.train.warmup_cosine import WarmupCosine

__all__ = [
    "ModelEma",
    "TrainConfig",
    "Trainer",
    "TrainingData",
    "TrainingDiverged",
    "WarmupCosine",
    "load_training_data",
]
