"""Label vocabulary, word2vec embeddings, co-occurrence statistics and the LabelGraph artifact.

Importing the package registers its plugins: the edge builders (:mod:`labelgraph.edges`, in
:data:`labelgraph.edge_builders.EDGE_BUILDERS`) and the export formats
(:mod:`labelgraph.exporters`, in :data:`labelgraph.export.EXPORTERS`).
"""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _distribution_version

import labelgraph.edges  # noqa: F401  (registers the edge builders)
import labelgraph.exporters  # noqa: F401  (registers the export formats)
from labelgraph.cooccurrence import CooccurrenceCounter, CooccurrenceCounts
from labelgraph.label_graph import GRAPH_FORMAT_VERSION, LabelGraph
from labelgraph.label_vocabulary import LabelVocabulary

try:  # the one place of the version is pyproject.toml; the installed metadata carries it
    __version__ = _distribution_version("labelgraph")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "__version__",
    "LabelVocabulary",
    "LabelGraph",
    "GRAPH_FORMAT_VERSION",
    "CooccurrenceCounter",
    "CooccurrenceCounts",
]
