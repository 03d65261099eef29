"""Label vocabulary, word2vec embeddings, co-occurrence statistics and the LabelGraph artifact.

Importing the package registers its plugins: the edge builders (:mod:`labelgraph.edges`, in
:data:`labelgraph.edge_builders.EDGE_BUILDERS`) and the export formats
(:mod:`labelgraph.exporters`, in :data:`labelgraph.export.EXPORTERS`).
"""

import labelgraph.edges  # noqa: F401  (registers the edge builders)
import labelgraph.exporters  # noqa: F401  (registers the export formats)
from corpora.cli_common import package_version
from labelgraph.cooccurrence import CooccurrenceCounter, CooccurrenceCounts
from labelgraph.label_graph import GRAPH_FORMAT_VERSION, LabelGraph
from labelgraph.label_vocabulary import LabelVocabulary

# the one place of the version is pyproject.toml; the installed metadata carries it, read by
# the one lookup both CLIs' --version use
__version__ = package_version()

__all__ = [
    "__version__",
    "LabelVocabulary",
    "LabelGraph",
    "GRAPH_FORMAT_VERSION",
    "CooccurrenceCounter",
    "CooccurrenceCounts",
]
