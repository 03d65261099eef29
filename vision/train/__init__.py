"""Training: :class:`TrainConfig` -> :class:`Trainer` -> ``fit()`` (what ``vision train`` runs)."""

from vision.train.build_graph_inputs import build_graph_inputs
from vision.train.ema import ModelEma
from vision.train.optimizer import OPTIMIZERS, create_optimizer, list_optimizers
from vision.train.train_config import SHARED_OPTIONS, TrainConfig
from vision.train.trainer import Trainer, TrainingDiverged, TrainingInterrupted
from vision.train.training_data import TrainingData, load_training_data
from vision.train.warmup_cosine import WarmupCosine

__all__ = [
    "OPTIMIZERS",
    "SHARED_OPTIONS",
    "ModelEma",
    "TrainConfig",
    "Trainer",
    "TrainingData",
    "TrainingDiverged",
    "TrainingInterrupted",
    "WarmupCosine",
    "build_graph_inputs",
    "create_optimizer",
    "list_optimizers",
    "load_training_data",
]
