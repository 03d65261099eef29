"""word2vec label embeddings (gensim) and the embedding-cosine k-NN edge set.

Training reads the phrase-joined sentence file written during the counting pass
(``corpus_file`` mode: one sentence per line, tokens separated by spaces, multi-word labels
joined with ``_``), so the corpus is decoded only once. A label's vector is its phrase
token's vector when the token is in the word2vec vocabulary, else the mean of the vectors of its
words when at least half of them have one, else the label is marked missing (a zero row plus
``missing[i] = True``; never a silent zero vector).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_path
from corpora.errors import InputError
from labelgraph.sparse_matrices import canonical_csr, symmetrize

__all__ = [
    "Word2VecConfig",
    "train_word2vec",
    "label_vectors",
    "save_keyed_vectors",
    "load_keyed_vectors",
    "cosine_knn",
]

logger = logging.getLogger(__name__)


@dataclass
class Word2VecConfig:
    """gensim ``Word2Vec`` options (defaults in brackets).

    Attributes:
        vector_size: ``D`` [100]. window: context window in tokens [5]. epochs: passes [5].
        min_count: drop words rarer than this [5]. sg: 1 skip-gram, 0 CBOW [0].
        negative: negative samples [5]. sample: down-sampling threshold [1e-3].
        workers: training threads [2]. seed: random seed [0].
    """

    vector_size: int = 100
    window: int = 5
    epochs: int = 5
    min_count: int = 5
    sg: int = 0
    negative: int = 5
    sample: float = 1e-3
    workers: int = 2
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def train_word2vec(
    corpus_file: str | os.PathLike[str] | None = None,
    config: Word2VecConfig | None = None,
    sentences: Iterable[list[str]] | None = None,
    progress: bool = False,
    gensim_info: bool | None = None,
):
    """Train word2vec on ``corpus_file`` (LineSentence format) or a re-iterable ``sentences``
    corpus; returns the ``KeyedVectors``.

    Args:
        progress: one tqdm bar over all epochs, in words (moved by gensim's epoch callbacks
            and its progress reports) [False].
        gensim_info: let gensim's own INFO log lines through (about 85 for a build) [None:
            only when this module's logger is enabled for DEBUG, i.e. ``-v``]; gensim's
            warnings always pass.
    """
    from gensim.models import Word2Vec

    from labelgraph._word2vec_progress import word2vec_progress

    config = config or Word2VecConfig()
    if (corpus_file is None) == (sentences is None):
        raise ValueError("give exactly one of corpus_file or sentences")
    if corpus_file is not None and os.path.getsize(corpus_file) == 0:
        raise InputError(f"{corpus_file}: no sentences to train word2vec on; is the corpus empty?")
    kw = dict(
        vector_size=config.vector_size,
        window=config.window,
        epochs=config.epochs,
        min_count=config.min_count,
        sg=config.sg,
        negative=config.negative,
        sample=config.sample,
        workers=max(int(config.workers), 1),
        seed=config.seed,
    )
    if gensim_info is None:
        gensim_info = logger.isEnabledFor(logging.DEBUG)
    try:
        with word2vec_progress(config.epochs, enabled=progress, show_info=gensim_info) as bar:
            kw["callbacks"] = [bar]
            if corpus_file is not None:
                model = Word2Vec(corpus_file=str(corpus_file), **kw)
            else:
                model = Word2Vec(sentences=sentences, **kw)
    except RuntimeError as exc:
        if "vocabulary" in str(exc):
            raise InputError(
                f"word2vec found no word with at least min_count={config.min_count} occurrences; "
                "lower --min-count or give a larger corpus"
            ) from exc
        raise
    logger.info("word2vec: %d words x %d dims", len(model.wv), model.wv.vector_size)
    return model.wv


def label_vectors(kv, phrases: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Vectors of labels given their phrase tokens (``"grocery_store"``).

    Returns ``(embeddings [L, D] float32, missing [L] bool, how [L])`` with ``how[i]`` in
    ``"phrase"``, ``"words"`` (mean of the word vectors found, at least half the words),
    ``"missing"``.
    """
    dim = kv.vector_size
    emb = np.zeros((len(phrases), dim), dtype=np.float32)
    missing = np.ones(len(phrases), dtype=bool)
    how = ["missing"] * len(phrases)
    for i, phrase in enumerate(phrases):
        if not phrase:
            continue
        if phrase in kv.key_to_index:
            emb[i] = kv[phrase]
            missing[i], how[i] = False, "phrase"
            continue
        words = [w for w in phrase.split("_") if w]
        found = [w for w in words if w in kv.key_to_index]
        if words and found and 2 * len(found) >= len(words):
            emb[i] = np.mean([kv[w] for w in found], axis=0)
            missing[i], how[i] = False, "words"
    return emb, missing, how


def save_keyed_vectors(kv, path: str | os.PathLike[str]) -> Path:
    """Save ``KeyedVectors`` in the word2vec binary format (no pickle), atomically."""
    from labelgraph._word2vec_progress import gensim_info

    path = Path(path)
    with atomic_path(path) as tmp, gensim_info(logger.isEnabledFor(logging.DEBUG)):
        kv.save_word2vec_format(str(tmp), binary=True)
    return path


def load_keyed_vectors(path: str | os.PathLike[str]):
    from gensim.models import KeyedVectors

    from labelgraph._word2vec_progress import gensim_info

    with gensim_info(logger.isEnabledFor(logging.DEBUG)):
        return KeyedVectors.load_word2vec_format(str(path), binary=True)


def cosine_knn(
    embeddings: np.ndarray,
    missing: np.ndarray,
    k: int = 10,
    min_cosine: float = 0.0,
    chunk: int = 1024,
) -> sp.csr_matrix:
    """Symmetric ``[L, L]`` float32 CSR: each non-missing label linked to its ``k`` most
    cosine-similar non-missing labels (cosine > ``min_cosine``; weight = cosine); an edge is
    kept when either end ranks the other in its top ``k``. Computed in row chunks of ``chunk``
    (memory ``chunk x L`` floats, never ``L x L``)."""
    n = embeddings.shape[0]
    ok = np.nonzero(~np.asarray(missing, dtype=bool))[0]
    if len(ok) < 2 or k <= 0:
        return sp.csr_matrix((n, n), dtype=np.float32)
    x = embeddings[ok].astype(np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    x = x / np.maximum(norms, 1e-12)
    kk = min(k, len(ok) - 1)
    rows, cols, vals = [], [], []
    for lo in range(0, len(ok), chunk):
        sims = x[lo : lo + chunk] @ x.T  # [chunk, n_ok]
        r = np.arange(sims.shape[0])
        sims[r, lo + r] = -np.inf
        top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        tv = np.take_along_axis(sims, top, axis=1)
        keep = tv > min_cosine
        rows.append(np.repeat(ok[lo + r], kk)[keep.ravel()])
        cols.append(ok[top.ravel()][keep.ravel()])
        vals.append(tv.ravel()[keep.ravel()])
    m = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    return symmetrize(canonical_csr(m, np.float32), "max")
