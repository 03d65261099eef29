"""The catalogue of edge builders: co-occurrence counts -> symmetric non-negative ``[L, L]`` CSR.

``create_edge_builder(name, **options)`` returns a callable ``builder(counts, context)``;
``list_edge_builders()`` names them. The builders live in :mod:`labelgraph.edges`, one module
each, and register themselves with :func:`register_edge_builder` (this module never imports
them; ``import labelgraph`` does):

* ``"ppmi"``: shrunk, alpha-smoothed positive PMI (options ``alpha``, ``min_count``,
  ``shrinkage``, ``confidence``), nats;
* ``"npmi"``: positive part of NPMI (``min_count``), in ``[0, 1]``;
* ``"conditional"``: ``(P(b|a) + P(a|b)) / 2`` (``min_count``);
* ``"joint"``: ``log(1 + n_ab / (kappa E_ab))`` (``kappa``, ``add``, ``min_count``), the
  pair part of the smoothed joint probability (:func:`labelgraph.association.joint_lift_matrix`);
* ``"mlgcn"``: the ML-GCN re-weighted, thresholded conditional-probability adjacency
  (``tau``, ``p``), symmetrised by the mean, diagonal dropped.

An entry's options are its factory's keyword parameters (see :class:`corpora.catalogue.Catalogue`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import scipy.sparse as sp

from corpora.catalogue import Catalogue
from labelgraph.cooccurrence import CooccurrenceCounts

__all__ = [
    "EDGE_BUILDERS",
    "EdgeBuilder",
    "create_edge_builder",
    "list_edge_builders",
    "register_edge_builder",
]

#: ``builder(counts, context) -> [L, L]`` float32 symmetric CSR, weights >= 0
EdgeBuilder = Callable[[CooccurrenceCounts, str], sp.csr_matrix]

#: name -> factory ``(**options) -> EdgeBuilder``
EDGE_BUILDERS: Catalogue[EdgeBuilder] = Catalogue("edge builder")


def register_edge_builder(name: str, **kwargs: Any) -> Callable[[Any], Any]:
    """Decorator registering a factory ``(**options) -> builder(counts, context)`` under
    ``name`` (``kwargs``: ``help``, ``aliases``, ``tags`` of :meth:`Catalogue.register`)."""
    return EDGE_BUILDERS.register(name, **kwargs)


def list_edge_builders() -> list[str]:
    """Names accepted by :func:`create_edge_builder`, sorted."""
    return EDGE_BUILDERS.names()


def create_edge_builder(name: str, **options: Any) -> EdgeBuilder:
    """The builder ``name`` configured with ``options``.

    Raises:
        InputError: unknown name (``unknown edge builder 'x'; choose one of: ...``) or an
            option the builder does not declare.
    """
    return EDGE_BUILDERS.create(name, **options)
