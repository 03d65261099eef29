"""The label-pair scorers, one module each; importing this package registers them in
:data:`labelgraph.evaluation.pair_scorers.PAIR_SCORERS` (a new scorer is one new module here)."""

from corpora.catalogue import import_plugins

__all__: list[str] = []

import_plugins(__name__, __path__)
