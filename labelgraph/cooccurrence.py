"""Sparse label-label co-occurrence counts, accumulated per shard and merged across processes.

:class:`CooccurrenceCounts` is the (immutable, mergeable, saveable) result;
:class:`CooccurrenceCounter` accumulates it from documents (per sentence, per window of ``W``
tokens, per document, all in one pass) or from image label sets.

Pair counts are kept as strictly upper-triangular (``a < b``) CSR ``int64`` matrices
``[L, L]``; a dense ``L x L`` array is never built. Two kinds of context:

* ``"set"`` contexts (sentence, document, image): ``pairs[a, b]`` = number of contexts holding
  both labels, ``unigram[a]`` = number of contexts holding ``a``, ``total`` = number of contexts
  (including those with no label at all);
* ``"pairs"`` contexts (window): ``pairs[a, b]`` = number of mention pairs of ``a`` and ``b``
  at most ``W`` tokens apart in one sentence; ``unigram[a]`` = mentions of ``a``; ``total`` =
  mentions. Association measures use the marginals of the pair matrix for this kind.

The ``"visual"`` context (a set context, counted only when asked for) holds the sentences
that describe what can be seen: image captions and scene sentences
(:mod:`labelgraph.visual_context`), one context each, added with :meth:`CooccurrenceCounter.
add_context_sentence`. :meth:`CooccurrenceCounts.mixed` adds a weighted mixture of counted
contexts as a context of its own (float64 counts, never saved), which is how a build mixes
the visual context into its text context.
"""

from __future__ import annotations

import logging
import os
from array import array
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from corpora.atomic import atomic_write
from corpora.errors import CorruptInputError, InputError

__all__ = ["CooccurrenceCounts", "CooccurrenceCounter", "TEXT_CONTEXTS", "CONTEXT_KINDS"]

logger = logging.getLogger(__name__)

TEXT_CONTEXTS = ("sentence", "window", "document")
#: kind of each known context ("set" or "pairs")
CONTEXT_KINDS = {
    "sentence": "set",
    "window": "pairs",
    "document": "set",
    "image": "set",
    "visual": "set",
}
COUNTS_FORMAT = "labelgraph.cooccurrence"
COUNTS_FORMAT_VERSION = 1

_FLUSH_KEYS = 4_000_000


def _empty(n: int) -> sp.csr_matrix:
    return sp.csr_matrix((n, n), dtype=np.int64)


def _count_dtype(values: Any) -> type:
    """float64 for weighted (mixed) counts, int64 for counts."""
    dtype = getattr(values, "dtype", None)
    return np.float64 if dtype is not None and np.issubdtype(dtype, np.floating) else np.int64


def _total(value: Any) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


class CooccurrenceCounts:
    """Label co-occurrence counts for ``n_labels`` labels in one or more contexts.

    Args:
        n_labels: ``L``.
        pairs: context -> strictly upper-triangular ``[L, L]`` int64 CSR pair counts (float64
            for a weighted mixture, :meth:`mixed`).
        unigram: context -> ``[L]`` int64 label counts (see the module docstring; float64
            for a mixture).
        totals: context -> number of contexts (set kind) or mentions (pairs kind).
        mentions: ``[L]`` int64 label mentions (all contexts share them); zeros for images.
        meta: free-form parameters (window size, ...), saved with the counts.
        examples: ``{pair_key: [sentence refs]}`` with ``pair_key = a * L + b`` (``a < b``),
            the first references (ints) of sentences holding both labels, at most
            ``meta["examples_per_pair"]`` each, in counting order.
    """

    def __init__(
        self,
        n_labels: int,
        pairs: Mapping[str, sp.spmatrix],
        unigram: Mapping[str, np.ndarray],
        totals: Mapping[str, int],
        mentions: np.ndarray | None = None,
        meta: Mapping[str, Any] | None = None,
        examples: Mapping[int, list[int]] | None = None,
    ) -> None:
        self.n_labels = int(n_labels)
        self._pairs = {k: sp.csr_matrix(v, dtype=_count_dtype(v)) for k, v in pairs.items()}
        self._unigram = {k: np.asarray(v, dtype=_count_dtype(v)) for k, v in unigram.items()}
        self._totals = {k: _total(v) for k, v in totals.items()}
        self.mentions = (
            np.zeros(self.n_labels, dtype=np.int64)
            if mentions is None
            else np.asarray(mentions, dtype=np.int64)
        )
        self.meta: dict[str, Any] = dict(meta or {})
        self._examples: dict[int, list[int]] | None = {
            int(k): list(v) for k, v in (examples or {}).items()
        }
        # (keys, lens, refs) arrays as stored on disk; the dict is built only when needed
        self._example_arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        for k in self._pairs:
            if self._pairs[k].shape != (self.n_labels, self.n_labels):
                raise ValueError(f"pair counts {k!r} have shape {self._pairs[k].shape}")

    @property
    def examples(self) -> dict[int, list[int]]:
        """``{pair_key: [sentence refs]}`` (built lazily from the loaded arrays)."""
        if self._examples is None:
            keys, lens, refs = self._example_arrays  # type: ignore[misc]
            out: dict[int, list[int]] = {}
            pos = 0
            for key, ln in zip(keys.tolist(), lens.tolist()):
                out[key] = refs[pos : pos + ln].tolist()
                pos += ln
            self._examples, self._example_arrays = out, None
        return self._examples

    @examples.setter
    def examples(self, value: dict[int, list[int]]) -> None:
        self._examples, self._example_arrays = value, None

    def example_refs(self, keys: Iterable[int]) -> dict[int, list[int]]:
        """Sentence references of the given pair keys only (no full dict is built)."""
        keys = list(keys)
        if self._examples is not None:
            return {k: self._examples[k] for k in keys if k in self._examples}
        ek, lens, refs = self._example_arrays  # type: ignore[misc]
        starts = np.concatenate([[0], np.cumsum(lens)[:-1]]) if len(lens) else lens
        order = np.argsort(ek, kind="stable")
        sk = ek[order]
        out = {}
        for k in keys:
            i = int(np.searchsorted(sk, k))
            if i < len(sk) and sk[i] == k:
                j = order[i]
                out[k] = refs[starts[j] : starts[j] + lens[j]].tolist()
        return out

    def _example_arrays_for_save(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._examples is None:
            return self._example_arrays  # type: ignore[return-value]
        ex = self._examples
        keys = np.fromiter(ex.keys(), dtype=np.int64, count=len(ex))
        lens = np.fromiter((len(v) for v in ex.values()), dtype=np.int64, count=len(keys))
        flat = np.fromiter(
            (r for v in ex.values() for r in v), dtype=np.int64, count=int(lens.sum())
        )
        return keys, lens, flat

    @property
    def contexts(self) -> list[str]:
        return list(self._pairs)

    def kind(self, context: str) -> str:
        return self.meta.get("kinds", {}).get(context, CONTEXT_KINDS.get(context, "set"))

    def _check(self, context: str) -> None:
        if context not in self._pairs:
            raise InputError(
                f"no co-occurrence counts for context {context!r}; counted: {', '.join(self._pairs)}"
            )

    def upper(self, context: str) -> sp.csr_matrix:
        """Strictly upper-triangular ``[L, L]`` int64 pair counts."""
        self._check(context)
        return self._pairs[context]

    def pairs(self, context: str) -> sp.csr_matrix:
        """Symmetric ``[L, L]`` int64 pair counts (zero diagonal)."""
        u = self.upper(context)
        return (u + u.T).tocsr()

    def unigram(self, context: str) -> np.ndarray:
        self._check(context)
        return self._unigram[context]

    def total(self, context: str) -> int:
        self._check(context)
        return self._totals[context]

    def count(self, context: str, a: int, b: int) -> int | float:
        """Co-occurrence count of labels ``a`` and ``b`` (indices) in ``context`` (a float in
        a weighted mixture)."""
        if a == b:
            value = self.unigram(context)[a]
        else:
            lo, hi = (a, b) if a < b else (b, a)
            value = self.upper(context)[lo, hi]
        return _total(value)

    def mixed(self, name: str, weights: Mapping[str, float]) -> CooccurrenceCounts:
        """These counts plus the context ``name``: the weighted sum ``sum_c w_c counts_c`` of
        pair counts, label counts and totals over the contexts ``c`` of ``weights``
        (``{"document": 1.0, "visual": 0.5}``: every visual context counts as half a
        document). Its kind is the first context's; a ``"pairs"`` kind takes its marginals
        from the mixed pair matrix, as always. The mixture holds float64 counts and is not
        meant to be saved (the stored counts are the parts).

        Raises:
            InputError: a context of ``weights`` was not counted; ``name`` is counted already.
            ValueError: no weights, or a negative or non-finite weight.
        """
        if not weights:
            raise ValueError("mixed() needs at least one context weight")
        if name in self._pairs:
            raise InputError(f"context {name!r} exists already; choose another mixture name")
        for c, w in weights.items():
            self._check(c)
            if not np.isfinite(w) or w < 0:
                raise ValueError(f"context weight of {c!r} must be finite and >= 0, got {w}")
        n = self.n_labels
        pairs = sp.csr_matrix((n, n), dtype=np.float64)
        uni = np.zeros(n, dtype=np.float64)
        total = 0.0
        for c, w in weights.items():
            w = float(w)
            pairs = pairs + self._pairs[c].astype(np.float64) * w
            uni += self._unigram[c] * w
            total += self._totals[c] * w
        kinds = {c: self.kind(c) for c in self.contexts}
        kinds[name] = self.kind(next(iter(weights)))
        meta = {**self.meta, "kinds": kinds}
        meta.setdefault("mixtures", {})
        meta["mixtures"] = {**meta["mixtures"], name: {c: float(w) for c, w in weights.items()}}
        out = CooccurrenceCounts(
            n,
            {**self._pairs, name: pairs.tocsr()},
            {**self._unigram, name: uni},
            {**self._totals, name: total},
            self.mentions,
            meta,
        )
        out._examples, out._example_arrays = self._examples, self._example_arrays
        return out

    def merge(self, other: CooccurrenceCounts) -> CooccurrenceCounts:
        """Sum of two count sets over the same labels (contexts are unioned; examples keep the
        first ``examples_per_pair`` references, ``self``'s first)."""
        if other.n_labels != self.n_labels:
            raise InputError(
                f"cannot merge counts over {self.n_labels} and {other.n_labels} labels; "
                "count with the same label vocabulary"
            )
        n = self.n_labels
        contexts = list(dict.fromkeys(self.contexts + other.contexts))
        pairs, uni, tot = {}, {}, {}
        zero = np.zeros(n, dtype=np.int64)
        for c in contexts:
            pairs[c] = (self._pairs.get(c, _empty(n)) + other._pairs.get(c, _empty(n))).tocsr()
            uni[c] = self._unigram.get(c, zero) + other._unigram.get(c, zero)
            tot[c] = self._totals.get(c, 0) + other._totals.get(c, 0)
        cap = int(self.meta.get("examples_per_pair", other.meta.get("examples_per_pair", 0)))
        examples = {k: list(v) for k, v in self.examples.items()}
        for k, refs in other.examples.items():
            have = examples.setdefault(k, [])
            if len(have) < cap:
                have.extend(refs[: cap - len(have)])
        meta = {**other.meta, **self.meta}
        return CooccurrenceCounts(
            n, pairs, uni, tot, self.mentions + other.mentions, meta, examples
        )

    __add__ = merge

    @classmethod
    def merge_all(cls, parts: Iterable[CooccurrenceCounts]) -> CooccurrenceCounts:
        """Merge many count sets (balanced pairwise, so large shards are not re-added often)."""
        items = list(parts)
        if not items:
            raise ValueError("merge_all needs at least one CooccurrenceCounts")
        while len(items) > 1:
            items = [
                items[i].merge(items[i + 1]) if i + 1 < len(items) else items[i]
                for i in range(0, len(items), 2)
            ]
        return items[0]

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write one ``.npz`` (no pickle; metadata as a JSON string inside), atomically.

        Raises:
            ValueError: the counts hold a weighted mixture (:meth:`mixed`).
        """
        import json

        mixtures = [c for c in self.contexts if self._pairs[c].dtype != np.int64]
        if mixtures:
            raise ValueError(
                f"context {mixtures[0]!r} is a weighted mixture; save the counts it was mixed "
                "from instead"
            )
        path = Path(path)
        arrays: dict[str, np.ndarray] = {"mentions": self.mentions}
        for i, c in enumerate(self.contexts):
            u = self._pairs[c]
            arrays[f"c{i}_data"] = u.data.astype(np.int64)
            arrays[f"c{i}_indices"] = u.indices.astype(np.int32)
            arrays[f"c{i}_indptr"] = u.indptr.astype(np.int64)
            arrays[f"c{i}_unigram"] = self._unigram[c]
        keys, lens, flat = self._example_arrays_for_save()
        arrays["example_keys"] = keys
        arrays["example_lens"] = lens
        arrays["example_refs"] = flat
        header = {
            "format": COUNTS_FORMAT,
            "format_version": COUNTS_FORMAT_VERSION,
            "n_labels": self.n_labels,
            "contexts": self.contexts,
            "totals": self._totals,
            "meta": self.meta,
        }
        arrays["header"] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
        with atomic_write(path, "wb") as fh:
            np.savez(fh, **arrays)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CooccurrenceCounts:
        import json

        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            header = json.loads(arrays["header"].tobytes().decode("utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptInputError(
                f"{path}: not a readable co-occurrence count file ({exc})"
            ) from exc
        if (
            header.get("format") != COUNTS_FORMAT
            or header.get("format_version") != COUNTS_FORMAT_VERSION
        ):
            raise InputError(
                f"{path}: co-occurrence counts in format {header.get('format')!r} version "
                f"{header.get('format_version')}; this labelgraph reads {COUNTS_FORMAT!r} version "
                f"{COUNTS_FORMAT_VERSION}; recount (labelgraph build without --resume)"
            )
        n = int(header["n_labels"])
        pairs, uni = {}, {}
        for i, c in enumerate(header["contexts"]):
            pairs[c] = sp.csr_matrix(
                (arrays[f"c{i}_data"], arrays[f"c{i}_indices"], arrays[f"c{i}_indptr"]),
                shape=(n, n),
            )
            uni[c] = arrays[f"c{i}_unigram"]
        out = cls(n, pairs, uni, header["totals"], arrays["mentions"], header.get("meta"))
        out._examples = None
        out._example_arrays = (
            arrays["example_keys"],
            arrays["example_lens"],
            arrays["example_refs"],
        )
        return out


class CooccurrenceCounter:
    """Accumulates :class:`CooccurrenceCounts` from documents or image label sets.

    Args:
        n_labels: ``L``.
        contexts: which of ``"sentence"``, ``"window"``, ``"document"`` to count (text), or
            ``("image",)`` for annotations.
        window: ``W``, the largest token distance of a window pair (default 10).
        examples_per_pair: keep this many sentence references per sentence-level pair
            (0 = none).
        document_max_labels: a document context holds only its ``N`` most-mentioned labels
            (ties: lower label index) [50; 0 = all]. Bounds the document pairs at
            ``N (N - 1) / 2`` per document: long articles mention hundreds of labels, and
            their full pair sets would need gigabytes while adding mostly noise.
    """

    def __init__(
        self,
        n_labels: int,
        contexts: Sequence[str] = TEXT_CONTEXTS,
        window: int = 10,
        examples_per_pair: int = 0,
        document_max_labels: int = 50,
    ) -> None:
        unknown = [c for c in contexts if c not in CONTEXT_KINDS]
        if unknown:
            raise InputError(
                f"unknown co-occurrence context {unknown[0]!r}; choose one of: "
                + ", ".join(CONTEXT_KINDS)
            )
        if window < 1:
            raise InputError(f"window must be >= 1 token, got {window}")
        self.n = int(n_labels)
        self.contexts = tuple(contexts)
        self.window = int(window)
        self.examples_per_pair = int(examples_per_pair)
        self.document_max_labels = int(document_max_labels)
        self._keys: dict[str, array] = {c: array("q") for c in self.contexts}
        self._doc_keys: list[np.ndarray] = []
        self._doc_nkeys = 0
        self._uni_buf: dict[str, array] = {c: array("q") for c in self.contexts}
        self._mention_buf = array("q")
        self._partials: dict[str, list[sp.csr_matrix]] = {c: [] for c in self.contexts}
        self._unigram = {c: np.zeros(self.n, dtype=np.int64) for c in self.contexts}
        self._mentions = np.zeros(self.n, dtype=np.int64)
        self._totals = {c: 0 for c in self.contexts}
        self.examples: dict[int, list[int]] = {}

    # ------------------------------------------------------------------ adding
    def add_sentence(self, mentions: Sequence[tuple[int, int]], ref: int | None = None) -> None:
        """Count one sentence given its ``(token position, label index)`` mentions (sorted by
        position, as :class:`corpora.PhraseMatcher` returns them). ``ref`` identifies the
        sentence for example sampling. Document counting needs :meth:`add_document`."""
        self._add_sentence(mentions, ref, None)

    def _add_sentence(
        self,
        mentions,
        ref,
        doc_locs: dict[int, int] | None,
        sent_no: int = 0,
        doc_counts: dict[int, int] | None = None,
    ) -> None:
        n = self.n
        if "sentence" in self._totals:
            self._totals["sentence"] += 1
        if not mentions:
            return
        # label -> its token positions; two labels sharing one single mention (same phrase)
        # are not a co-occurrence
        pos_of: dict[int, list[int]] = {}
        for p, lab in mentions:
            pos_of.setdefault(lab, []).append(p)
        labels = sorted(pos_of)
        self._mention_buf.extend(lab for _, lab in mentions)
        if doc_locs is not None:
            for lab, ps in pos_of.items():
                loc = sent_no * 1_000_000 + ps[0] if len(ps) == 1 else -1
                prev = doc_locs.get(lab)
                doc_locs[lab] = loc if prev is None else -1
                doc_counts[lab] = doc_counts.get(lab, 0) + len(ps)
        if "sentence" in self._keys:
            self._uni_buf["sentence"].extend(labels)
            if len(labels) > 1:
                keys = self._keys["sentence"]
                cap = self.examples_per_pair
                for x in range(len(labels)):
                    la = labels[x]
                    pa = pos_of[la]
                    a = la * n
                    for y in range(x + 1, len(labels)):
                        lb = labels[y]
                        if len(pa) == 1 and pos_of[lb] == pa:
                            continue
                        key = a + lb
                        keys.append(key)
                        if cap and ref is not None:
                            have = self.examples.get(key)
                            if have is None:
                                self.examples[key] = [ref]
                            elif len(have) < cap:
                                have.append(ref)
        if "window" in self._keys:
            self._totals["window"] += len(mentions)
            self._uni_buf["window"].extend(lab for _, lab in mentions)
            keys = self._keys["window"]
            w = self.window
            m = len(mentions)
            for x in range(m):
                px, lx = mentions[x]
                for y in range(x + 1, m):
                    py, ly = mentions[y]
                    if py - px > w:
                        break
                    if ly != lx and py != px:
                        keys.append(lx * n + ly if lx < ly else ly * n + lx)
        if sum(len(k) for k in self._keys.values()) > _FLUSH_KEYS:
            self._flush()

    def add_document(
        self, sentence_mentions: Sequence[Sequence[tuple[int, int]]], first_ref: int | None = None
    ) -> None:
        """Count one document: ``sentence_mentions[s]`` = mentions of sentence ``s``; sentence
        ``s`` gets example reference ``first_ref + s``."""
        doc_locs: dict[int, int] = {}
        doc_counts: dict[int, int] = {}
        for s, mentions in enumerate(sentence_mentions):
            ref = None if first_ref is None else first_ref + s
            self._add_sentence(mentions, ref, doc_locs, s, doc_counts)
        if "document" in self._totals:
            self._totals["document"] += 1
            cap = self.document_max_labels
            if cap and len(doc_locs) > cap:
                keep = sorted(doc_locs, key=lambda lab: (-doc_counts[lab], lab))[:cap]
                doc_locs = {lab: doc_locs[lab] for lab in keep}
            self._add_set("document", doc_locs)

    def add_context_sentence(
        self, mentions: Sequence[tuple[int, int]], context: str = "visual"
    ) -> None:
        """Count one sentence (or caption) as one ``"set"`` context of its own, ``context``,
        given its ``(token position, label index)`` mentions; as in the sentence context, two
        labels sharing one single mention (the same phrase) are not a pair. Sentences without
        labels count in the total too."""
        self._totals[context] += 1
        locs: dict[int, int] = {}
        for p, lab in mentions:
            locs[lab] = p if lab not in locs else -1
        self._add_set(context, locs)

    def add_label_set(self, labels: Iterable[int], context: str = "image") -> None:
        """Count one image (or any unordered context) holding ``labels``."""
        self._totals[context] += 1
        self._add_set(context, {int(lab): -1 for lab in labels})

    def _add_set(self, context: str, locs: dict[int, int]) -> None:
        """``locs``: label -> location id of its only mention, or -1 (several / unknown);
        two labels with the same non-negative location are not a pair."""
        if not locs:
            return
        u = np.fromiter(sorted(locs), dtype=np.int64, count=len(locs))
        self._uni_buf[context].extend(u.tolist())
        if len(u) > 1:
            loc = np.fromiter((locs[i] for i in u.tolist()), dtype=np.int64, count=len(u))
            loc = np.where(loc < 0, -1 - u, loc)  # unique negative ids never collide
            iu, ju = np.triu_indices(len(u), 1)
            keep = loc[iu] != loc[ju]
            keys = u[iu[keep]] * self.n + u[ju[keep]]
            if context == "document":
                self._doc_keys.append(keys)
                self._doc_nkeys += len(keys)
                if self._doc_nkeys > _FLUSH_KEYS:
                    self._flush()
            else:
                self._keys[context].extend(keys.tolist())
                if len(self._keys[context]) > _FLUSH_KEYS:
                    self._flush()

    # ------------------------------------------------------------------ finishing
    def _to_partial(self, keys: np.ndarray) -> sp.csr_matrix:
        uniq, cnt = np.unique(keys, return_counts=True)
        return sp.csr_matrix(
            (cnt.astype(np.int64), (uniq // self.n, uniq % self.n)), shape=(self.n, self.n)
        )

    def _flush(self) -> None:
        for c, keys in self._keys.items():
            if len(keys):
                self._partials[c].append(self._to_partial(np.frombuffer(keys, dtype=np.int64)))
                self._keys[c] = array("q")
        if self._doc_keys:
            self._partials["document"].append(self._to_partial(np.concatenate(self._doc_keys)))
            self._doc_keys, self._doc_nkeys = [], 0
        for c, buf in self._uni_buf.items():
            if len(buf):
                self._unigram[c] += np.bincount(
                    np.frombuffer(buf, dtype=np.int64), minlength=self.n
                )
                self._uni_buf[c] = array("q")
        if len(self._mention_buf):
            self._mentions += np.bincount(
                np.frombuffer(self._mention_buf, dtype=np.int64), minlength=self.n
            )
            self._mention_buf = array("q")
        for c, parts in self._partials.items():
            if len(parts) > 1:
                total = parts[0]
                for p in parts[1:]:
                    total = total + p
                self._partials[c] = [total.tocsr()]

    def result(self, meta: Mapping[str, Any] | None = None) -> CooccurrenceCounts:
        """The counts accumulated so far."""
        self._flush()
        pairs = {c: (p[0] if p else _empty(self.n)) for c, p in self._partials.items()}
        uni = dict(self._unigram)
        if "window" in uni:
            uni["window"] = uni["window"].copy()
        meta = {
            "window": self.window,
            "examples_per_pair": self.examples_per_pair,
            "document_max_labels": self.document_max_labels,
            "kinds": {c: CONTEXT_KINDS[c] for c in self.contexts},
            **dict(meta or {}),
        }
        return CooccurrenceCounts(
            self.n, pairs, uni, dict(self._totals), self._mentions.copy(), meta, self.examples
        )
