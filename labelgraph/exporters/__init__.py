"""The export formats, one module each; importing this package registers them in
:data:`labelgraph.export.EXPORTERS` (a new format is one new module here)."""

from corpora.catalogue import import_plugins

__all__: list[str] = []

import_plugins(__name__, __path__)
