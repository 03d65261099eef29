"""Label vocabulary, word2vec embeddings, co-occurrence statistics and the LabelGraph artifact."""

from labelgraph.cooccurrence import CooccurrenceCounter, CooccurrenceCounts
from labelgraph.label_graph import GRAPH_FORMAT_VERSION, LabelGraph
from labelgraph.label_vocabulary import LabelVocabulary

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "LabelVocabulary",
    "LabelGraph",
    "GRAPH_FORMAT_VERSION",
    "CooccurrenceCounter",
    "CooccurrenceCounts",
]
