"""Backbones, heads and the multi-label classifier that joins them.

>>> from vision.models import create_backbone, create_head, MultiLabelClassifier
>>> bb = create_backbone("test_cnn")
>>> model = MultiLabelClassifier(bb, create_head("linear", bb.num_features, 5))

Backbones and heads are catalogues (:data:`BACKBONES`, :data:`HEADS`); every public module
of this package is imported (:func:`~corpora.catalogue.import_plugins`, at the end), so the
plugin modules register themselves in them.
"""

from corpora.catalogue import import_plugins
from vision.models.backbone import BACKBONES, Backbone, create_backbone, list_backbones
from vision.models.gcn_head import GCNHead
from vision.models.graph_inputs import GraphInputs
from vision.models.head import HEADS, Head, create_head, is_graph_head, list_heads
from vision.models.linear_head import LinearHead
from vision.models.multi_label_classifier import MultiLabelClassifier
from vision.models.rerank_head import RerankHead

__all__ = [
    "BACKBONES",
    "Backbone",
    "GCNHead",
    "GraphInputs",
    "HEADS",
    "Head",
    "LinearHead",
    "MultiLabelClassifier",
    "RerankHead",
    "create_backbone",
    "create_head",
    "is_graph_head",
    "list_backbones",
    "list_heads",
]

# Every public module of this package is imported, so a new plugin (a head, a backbone, a loss,
# a label policy, a transform) is one new file here that registers itself, and nothing else.
import_plugins(__name__, __path__)  # noqa: E402
