"""The edge builders, one module each; importing this package registers them in
:data:`labelgraph.edge_builders.EDGE_BUILDERS` (a new builder is one new module here)."""

from corpora.catalogue import import_plugins

__all__: list[str] = []

import_plugins(__name__, __path__)
