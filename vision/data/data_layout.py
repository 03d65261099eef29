"""The Open Images directory layout shared by the emoji benchmark and ``vision synth``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from corpora.errors import InputError

__all__ = ["DataLayout"]


@dataclass(frozen=True)
class DataLayout:
    """Paths of a data directory::

    DIR/train/                      training images (ImageID.png|jpg|jpeg|webp)
    DIR/train_human_labels.csv      ImageID,Source,LabelName,Confidence
    DIR/train_machine_labels.csv    optional, same columns
    DIR/train_bounding_boxes.csv    optional, ImageID,Source,LabelName,Confidence,XMin,...
    DIR/class-descriptions.csv      code,name (header optional)
    DIR/classes-trainable.csv       label_code
    DIR/test/                       test images (a shifted region)
    DIR/tuning_labels.csv           no header: ImageID,"code code ..."
    DIR/test_solutions.csv          image_id,labels
    DIR/sample_submission.csv       image_id,labels
    """

    root: Path

    def __init__(self, root: str | Path) -> None:
        object.__setattr__(self, "root", Path(root))

    train_dir = property(lambda self: self.root / "train")
    test_dir = property(lambda self: self.root / "test")
    human_labels = property(lambda self: self.root / "train_human_labels.csv")
    machine_labels = property(lambda self: self.root / "train_machine_labels.csv")
    bounding_boxes = property(lambda self: self.root / "train_bounding_boxes.csv")
    class_descriptions = property(lambda self: self.root / "class-descriptions.csv")
    classes_trainable = property(lambda self: self.root / "classes-trainable.csv")
    tuning_labels = property(lambda self: self.root / "tuning_labels.csv")
    test_solutions = property(lambda self: self.root / "test_solutions.csv")
    sample_submission = property(lambda self: self.root / "sample_submission.csv")

    def check(self) -> DataLayout:
        """Raise :class:`InputError` unless the directory and its human labels exist."""
        if not self.root.is_dir():
            raise InputError(
                f"data directory {str(self.root)!r} does not exist; give a folder in Open Images "
                "layout (make one with `vision synth --out DIR`)"
            )
        if not self.human_labels.is_file():
            raise InputError(
                f"{self.root} has no train_human_labels.csv; is it a data directory in Open "
                "Images layout (train/, train_human_labels.csv, class-descriptions.csv, ...)?"
            )
        return self
