"""Backbones, heads and the multi-label classifier that joins them.

>>> from vision.models import create_backbone, create_head, MultiLabelClassifier
>>> bb = create_backbone("test_cnn")
>>> model = MultiLabelClassifier(bb, create_head("linear", bb.num_features, 5))
"""

from vision.models.backbone import Backbone
from vision.models.backbone_registry import create_backbone, list_backbones, register_backbone
from vision.models.gcn_head import GCNHead
from vision.models.graph_inputs import GraphInputs
from vision.models.head import Head
from vision.models.head_registry import GRAPH_HEADS, create_head, list_heads, register_head
from vision.models.linear_head import LinearHead
from vision.models.multi_label_classifier import MultiLabelClassifier
from vision.models.rerank_head import RerankHead

__all__ = [
    "Backbone",
    "GCNHead",
    "GRAPH_HEADS",
    "GraphInputs",
    "Head",
    "LinearHead",
    "MultiLabelClassifier",
    "RerankHead",
    "create_backbone",
    "create_head",
    "list_backbones",
    "list_heads",
    "register_backbone",
    "register_head",
]
