"""Data side of ``vision``: Open Images readers, soft-target policies, image datasets, caches.

Public API (see ``docs/interfaces.md``)::

    load_targets(data_dir, policy=DEFAULT_LABEL_POLICY) -> DataFrame[ImageID, LabelName, Target]
    targets_matrix(df, codes) -> (image_ids, targets csr [N, L] float32, hard-negative csr | None)
    ImageFolderDataset(images_dir, image_ids, targets=None, transform=None, image_size=64,
                       cache_dir=None)[i] -> (image [3, H, W], target [L], mask [L])
    ImageDecoder(max_image_pixels=DEFAULT_MAX_IMAGE_PIXELS, draft=True).decode(path, size)
        -> uint8 [size, size, 3]; ImageDecodeError names the file and the reason
    ImageCache.open(cache_dir, paths, image_size, decoder=, shard_size=, workers=)
    build_transform("train" | "eval" | "style", image_size=64)
    read_human_labels, read_machine_labels, read_bounding_boxes, read_class_descriptions,
    read_classes_trainable, read_tuning_labels, read_solution, read_submission

Label policies and transform presets are catalogues (:data:`LABEL_POLICIES`,
:data:`TRANSFORMS`); every public module of this package is imported
(:func:`~corpora.catalogue.import_plugins`), so the plugin modules register themselves in them.
"""

# The file-format readers live in corpora.formats (re-exported here for convenience).
from corpora.catalogue import import_plugins
from corpora.formats.bounding_boxes import read_bounding_boxes
from corpora.formats.class_descriptions import read_class_descriptions
from corpora.formats.classes_trainable import read_classes_trainable
from corpora.formats.image_labels import read_human_labels, read_image_labels, read_machine_labels
from corpora.formats.label_sets import (
    read_solution,
    read_submission,
    read_tuning_labels,
    write_submission,
)
from corpora.formats.read_report import ReadReport
from vision.data.build_transform import TRANSFORMS, build_transform, list_transforms
from vision.data.data_layout import DataLayout
from vision.data.eval_transform import EvalTransform
from vision.data.human_policy import HumanPolicy
from vision.data.image_cache import DEFAULT_SHARD_SIZE, ImageCache
from vision.data.image_decoder import DEFAULT_MAX_IMAGE_PIXELS, ImageDecodeError, ImageDecoder
from vision.data.image_folder_dataset import CHECK_IMAGES, ImageFolderDataset
from vision.data.label_policy import (
    DEFAULT_LABEL_POLICY,
    LABEL_POLICIES,
    LabelEvidence,
    create_label_policy,
    list_label_policies,
)
from vision.data.load_targets import load_evidence, load_targets
from vision.data.precedence_policy import PrecedencePolicy
from vision.data.seed_policy import SeedPolicy
from vision.data.stroke_style_transform import StrokeStyleTransform
from vision.data.style_transform import StyleTransform
from vision.data.targets_matrix import targets_matrix
from vision.data.train_transform import TrainTransform

__all__ = [
    "CHECK_IMAGES",
    "DEFAULT_LABEL_POLICY",
    "DEFAULT_MAX_IMAGE_PIXELS",
    "DEFAULT_SHARD_SIZE",
    "LABEL_POLICIES",
    "TRANSFORMS",
    "DataLayout",
    "EvalTransform",
    "TrainTransform",
    "HumanPolicy",
    "ImageCache",
    "ImageDecodeError",
    "ImageDecoder",
    "ImageFolderDataset",
    "LabelEvidence",
    "PrecedencePolicy",
    "ReadReport",
    "SeedPolicy",
    "StrokeStyleTransform",
    "StyleTransform",
    "build_transform",
    "create_label_policy",
    "list_label_policies",
    "list_transforms",
    "load_evidence",
    "load_targets",
    "read_bounding_boxes",
    "read_class_descriptions",
    "read_classes_trainable",
    "read_human_labels",
    "read_image_labels",
    "read_machine_labels",
    "read_solution",
    "read_submission",
    "read_tuning_labels",
    "targets_matrix",
    "write_submission",
]

# Every public module of this package is imported, so a new plugin (a head, a backbone, a loss,
# a label policy, a transform) is one new file here that registers itself, and nothing else.
import_plugins(__name__, __path__)  # noqa: E402
