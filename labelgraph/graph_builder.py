"""Build a :class:`~labelgraph.label_graph.LabelGraph` from a corpus, labels and annotations.

The parameters are a :class:`~labelgraph.build_config.BuildConfig`.

Stages (each one's outputs, parameters, wall time and peak memory are recorded in
``OUT/work/stages.json``; ``resume=True`` skips a stage whose parameters are unchanged and
whose outputs exist, and the count stage skips finished shards):

1. ``count``: one pass over the corpus (``Corpus.map_shards``, parallel, per shard): label
   co-occurrence per sentence / window / document, and per visual context (captions and
   scene sentences) when ``visual_context_weight > 0`` (``work/shards/KEY.npz``), the phrase-joined
   sentences for word2vec (``work/sentences/KEY.txt``) and up to ``examples_per_pair`` sentence
   references per co-occurring pair;
2. ``merge``: shard counts summed into ``counts/text_counts.npz``; sentence files concatenated
   into ``work/sentences.txt``;
3. ``annotations``: image-level counts into ``counts/annotation_counts.npz``;
4. ``embeddings``: word2vec on ``work/sentences.txt`` (``embeddings/word2vec.bin``) and label
   vectors (``embeddings/label_vectors.npz``);
5. ``graph``: edge sets per source, the combined edges, example sentences for strong pairs
   (``counts/examples.json``, read back from ``work/sentences/``), the graph files,
   ``manifest.json`` and ``report.txt``.

The output folder: a new or empty one; a folder that already holds a build is continued with
``resume=True`` (``--resume``) or cleared of the earlier build's files with ``overwrite=True``
(``--overwrite``), and refused otherwise, before anything is read or written.

``work/`` (per-shard counts and sentence files, the merged sentence file) is most of a graph
folder (:data:`FOLDER_PARTS`; ``report.txt`` lists the sizes). ``drop_work=True``
(``--drop-work``) deletes it once the graph is saved; the stage records stay in
``manifest.json``. A later ``resume=True`` then says which stages it redoes: ``count`` and
``merge`` (their per-shard files are gone, and the ``graph`` stage reads its example
sentences from them), while ``annotations`` and ``embeddings`` are reused when their
parameters and outputs are unchanged, as in any resumed build.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import resource
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from corpora.atomic import atomic_path, atomic_write
from corpora.errors import InputError
from corpora.versions import package_versions
from labelgraph.build_config import EDGE_SOURCES, BuildConfig, edge_builder_spec
from labelgraph.cooccurrence import TEXT_CONTEXTS, CooccurrenceCounter, CooccurrenceCounts
from labelgraph.edge_builders import create_edge_builder
from labelgraph.edge_combination import combine_sources, sparsify
from labelgraph.embeddings import cosine_knn, label_vectors, save_keyed_vectors, train_word2vec
from labelgraph.label_graph import DEFAULT_SCORING, LabelGraph
from labelgraph.label_vocabulary import LabelVocabulary
from labelgraph.visual_context import (
    VISUAL_CONTEXT,
    count_visual_contexts,
    scene_word_list,
    text_context_counts,
    visual_context_weight,
)

__all__ = ["GraphBuilder", "STAGES", "BUILD_OUTPUTS", "FOLDER_PARTS", "folder_sizes"]

logger = logging.getLogger(__name__)

STAGES = ("count", "merge", "annotations", "embeddings", "graph")

#: what a build writes into its folder (what ``overwrite=True`` removes; nothing else is touched)
BUILD_OUTPUTS = (
    "work",
    "counts",
    "embeddings",
    "graph.json",
    "graph.npz",
    "manifest.json",
    "report.txt",
    "never_seen.csv",
    "config.yaml",
)

#: the parts of a graph folder whose sizes the report lists: name -> entries of BUILD_OUTPUTS
FOLDER_PARTS: dict[str, tuple[str, ...]] = {
    "work": ("work",),
    "counts": ("counts",),
    "embeddings": ("embeddings",),
    "graph": ("graph.json", "graph.npz"),
    "other": ("manifest.json", "report.txt", "never_seen.csv", "config.yaml"),
}
_EXAMPLE_CHARS = 400


def _hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _file_info(path: str | os.PathLike[str], checksum: bool = True) -> dict[str, Any]:
    p = Path(path)
    info: dict[str, Any] = {"path": str(p.resolve())}
    if p.is_file():
        info["bytes"] = p.stat().st_size
        if checksum:
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            info["sha256"] = h.hexdigest()
    elif p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file())
        info["files"] = len(files)
        info["bytes"] = sum(f.stat().st_size for f in files)
        # a listing checksum (names and sizes): content hashing 400 MB is not worth it
        info["listing_sha256"] = _hash([(str(f.relative_to(p)), f.stat().st_size) for f in files])
    return info


def _tree_bytes(path: Path) -> tuple[int, int]:
    """``(bytes, files)`` of a file or of every file under a folder (0, 0 when absent)."""
    if path.is_file():
        return path.stat().st_size, 1
    if not path.is_dir():
        return 0, 0
    sizes = [f.stat().st_size for f in path.rglob("*") if f.is_file()]
    return sum(sizes), len(sizes)


def folder_sizes(out: str | os.PathLike[str]) -> dict[str, int]:
    """Bytes of each of :data:`FOLDER_PARTS` in a graph folder, and ``total``."""
    out = Path(out)
    sizes = {
        part: sum(_tree_bytes(out / name)[0] for name in names)
        for part, names in FOLDER_PARTS.items()
    }
    sizes["total"] = sum(sizes.values())
    return sizes


def _is_build_folder(out: Path) -> bool:
    """Whether ``out`` holds files of a ``labelgraph build`` (its stage records, its manifest
    or its saved config)."""
    if (out / "work" / "stages.json").is_file():
        return True
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(manifest, dict) and manifest.get("built_by") == "labelgraph build":
            return True
    except (OSError, ValueError):
        pass
    import yaml

    try:
        config = yaml.safe_load((out / "config.yaml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False
    return isinstance(config, dict) and config.get("command") == "build"


def _peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"self_mb": round(own, 1), "largest_child_mb": round(children, 1)}


def _count_shard(
    shard_key: str,
    docs: Iterator[Any],
    *,
    n_labels: int,
    window: int,
    examples_per_pair: int,
    document_max_labels: int,
    shard_index: dict[str, int],
    work: str,
    params_hash: str,
    visual: bool = False,
) -> dict[str, Any]:
    """Count one shard; writes ``work/shards/KEY.npz`` and ``work/sentences/KEY.txt``
    (``visual``: also the visual context, :mod:`labelgraph.visual_context`)."""
    work_dir = Path(work)
    contexts = TEXT_CONTEXTS + ((VISUAL_CONTEXT,) if visual else ())
    counter = CooccurrenceCounter(
        n_labels, contexts, window, examples_per_pair, document_max_labels
    )
    base = shard_index[shard_key] << 32
    line = ndocs = ntok = scenes = captions = 0
    with atomic_write(work_dir / "sentences" / f"{shard_key}.txt") as fh:
        for doc in docs:
            counter.add_document(doc.mentions, first_ref=base + line)
            if visual:
                n_scenes, n_captions = count_visual_contexts(counter, doc)
                scenes += n_scenes
                captions += n_captions
            for sent in doc.sentences:
                fh.write(" ".join(sent))
                fh.write("\n")
                ntok += len(sent)
            line += len(doc.sentences)
            ndocs += 1
    info = {"key": shard_key, "documents": ndocs, "sentences": line, "tokens": ntok}
    if visual:
        info.update(scene_sentences=scenes, captions=captions)
    counts = counter.result(meta={"params_hash": params_hash, "shard": info})
    counts.save(work_dir / "shards" / f"{shard_key}.npz")
    return info


class GraphBuilder:
    """Runs the build stages for one :class:`BuildConfig` (see the module docstring).

    Args:
        config: the build parameters.
        resume: skip finished stages and shards whose parameters match [False].
        corpus_factory: ``(paths, matcher, processes, progress) -> Corpus``-like object with
            ``shards()`` and ``map_shards(fn, shards, processes)``; defaults to
            :func:`corpora.open_corpus` (tests pass small in-memory corpora).
        overwrite: start again in a folder that holds an earlier build: its files
            (:data:`BUILD_OUTPUTS`) are removed when the build starts [False].
        drop_work: delete ``work/`` once the graph is saved [False].

    Raises:
        InputError: ``config.out`` is not empty and neither ``resume`` nor ``overwrite`` is
            set, or ``overwrite`` is set and the folder holds no earlier build; bad labels or
            edge builder options.
    """

    def __init__(
        self,
        config: BuildConfig,
        resume: bool = False,
        corpus_factory: Callable[..., Any] | None = None,
        overwrite: bool = False,
        drop_work: bool = False,
    ) -> None:
        if resume and overwrite:
            raise InputError(
                "--resume continues a build and --overwrite starts it again; pass only one"
            )
        if config.context not in TEXT_CONTEXTS:
            raise InputError(
                f"unknown --context {config.context!r}; choose one of: {', '.join(TEXT_CONTEXTS)}"
            )
        for source in EDGE_SOURCES:  # an unknown builder or option fails now, not after counting
            edge_builder_spec(config.to_dict(), source)
        w, v = config.completion_text_weight, config.completion_prior_weight
        if w < 0 or v < 0 or w + v > 1:
            raise InputError(
                f"--completion-text-weight {w} and --completion-prior-weight {v} must be >= 0 "
                "and sum to at most 1"
            )
        u = config.completion_hypernym_weight
        if not 0 <= u <= 1:
            raise InputError(
                f"--completion-hypernym-weight {u} must be in [0, 1] (0 = no is-a part in "
                "directional completion)"
            )
        visual_context_weight(config.to_dict())  # a bad weight fails now, not after counting
        if config.completion not in ("conditional", "association"):
            raise InputError(
                f"unknown --completion {config.completion!r}; choose one of: conditional, "
                "association"
            )
        self.config = config
        self.resume = resume
        self.overwrite = overwrite
        self.drop_work = drop_work
        self.out = Path(config.out)
        self.work = self.out / "work"
        self._check_output_folder()
        self.corpus_factory = corpus_factory or _open_corpus
        self.vocab = LabelVocabulary.from_file(config.labels, config.trainable)
        from corpora import PhraseMatcher

        self.matcher = PhraseMatcher(self.vocab.names, plurals=config.plurals)
        self._stages_path = self.work / "stages.json"
        self.stages: dict[str, Any] = {}
        self._work_dropped = False
        self._prepared = False
        if resume:
            self.stages = self._earlier_stages()

    # ------------------------------------------------------------------ output folder
    def _check_output_folder(self) -> None:
        """Refuse a non-empty ``out`` unless resuming, or overwriting an earlier build."""
        out = self.out
        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out} is a file, not a folder; choose a folder")
        if self.resume or not out.is_dir() or not any(out.iterdir()):
            return
        if not _is_build_folder(out):
            raise InputError(
                f"{out} is not empty and holds no graph build (no manifest.json or "
                "work/stages.json of `labelgraph build`); choose a new --out"
            )
        if not self.overwrite:
            raise InputError(
                f"{out} already holds a graph build; pass --resume to continue it, --overwrite "
                "to start again, or choose a new --out"
            )

    def prepare(self) -> None:
        """Create the output folder; with ``overwrite``, remove the earlier build's files
        (:data:`BUILD_OUTPUTS`) first. Called by :meth:`run`; idempotent."""
        if self._prepared:
            return
        if self.overwrite and self.out.is_dir():
            removed = []
            for name in BUILD_OUTPUTS:
                path = self.out / name
                if path.is_dir():
                    shutil.rmtree(path)
                elif path.exists():
                    path.unlink()
                else:
                    continue
                removed.append(name)
            if removed:
                logger.info("--overwrite: removed %s from %s", ", ".join(removed), self.out)
        self.out.mkdir(parents=True, exist_ok=True)
        self._prepared = True

    def _earlier_stages(self) -> dict[str, Any]:
        """The stage records of the build being resumed: ``work/stages.json``, or, when
        ``work/`` was dropped, the copy in ``manifest.json``."""
        if self._stages_path.is_file():
            return json.loads(self._stages_path.read_text(encoding="utf-8"))
        manifest_path = self.out / "manifest.json"
        if self.work.is_dir() or not manifest_path.is_file():
            return {}
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError:
            return {}
        stages = manifest.get("stages") if isinstance(manifest, dict) else None
        if not isinstance(stages, dict):
            return {}
        self._work_dropped = True
        return stages

    def _reusable(self, stage: str, outputs: Sequence[Path]) -> bool:
        rec = self.stages.get(stage)
        return bool(
            self.resume
            and rec is not None
            and rec.get("params") == _hash(self._params()[stage])
            and all(p.exists() for p in outputs)
        )

    def _outputs(self, stage: str) -> list[Path]:
        """What a finished stage leaves behind (its skip condition besides the parameters)."""
        return {
            "merge": [self.out / "counts" / "text_counts.npz", self.work / "sentences.txt"],
            "annotations": [self.out / "counts" / "annotation_counts.npz"],
            "embeddings": [
                self.out / "embeddings" / "word2vec.bin",
                self.out / "embeddings" / "label_vectors.npz",
            ],
        }.get(stage, [])

    def _announce_dropped_work(self) -> None:
        """On resuming a build whose ``work/`` was dropped: say which stages are redone."""
        reused = [
            s
            for s in ("annotations", "embeddings")
            if self._stage_enabled(s) and self._reusable(s, self._outputs(s))
        ]
        redone = [s for s in STAGES if s not in reused and self._stage_enabled(s)]
        logger.warning(
            "--resume: %s is gone (dropped by --drop-work after the earlier build, or deleted), "
            "so stages %s are "
            "redone (count and merge need its per-shard files, which the graph stage reads "
            "example sentences from)%s",
            self.work,
            ", ".join(redone),
            f"; reused with unchanged parameters: {', '.join(reused)}" if reused else "",
        )

    def _stage_enabled(self, stage: str) -> bool:
        if stage == "annotations":
            return bool(self.config.annotations)
        if stage == "embeddings":
            return bool(self.config.embeddings)
        return True

    def _reader_options(self) -> dict[str, Any]:
        """Corpus reader options that differ from the defaults (passed to the factory)."""
        c = self.config
        options: dict[str, Any] = {}
        if c.corpus_format is not None:
            options["format"] = c.corpus_format
        if c.index is not None:
            options["index"] = c.index
            options["shard_mb"] = c.shard_mb
        if self._visual:
            options["captions"] = True
        return options

    @property
    def _visual(self) -> bool:
        """Whether the visual context is counted (``visual_context_weight > 0``)."""
        return visual_context_weight(self.config.to_dict()) > 0

    # ------------------------------------------------------------------ stage plumbing
    def _params(self) -> dict[str, dict[str, Any]]:
        c = self.config
        count = {
            "vocab": self.vocab.digest(),
            "corpus": [str(Path(p).resolve()) for p in c.corpus],
            "window": c.window,
            "document_max_labels": c.document_max_labels,
            "examples_per_pair": c.examples_per_pair,
            "plurals": c.plurals,
        }
        reader = self._reader_options()
        if reader:  # only when set, so earlier builds keep their hashes
            count["reader"] = reader
        if self._visual:  # the weight itself is a graph-stage parameter
            count["visual"] = scene_word_list()
        ann = {"vocab": self.vocab.digest(), "annotations": [_file_info(a) for a in c.annotations]}
        emb = {"count": _hash(count), "embeddings": c.embeddings, "word2vec": asdict(c.word2vec)}
        graph = {"count": _hash(count), "ann": _hash(ann), "emb": _hash(emb), "config": c.to_dict()}
        graph["config"].pop("progress", None)
        graph["config"].pop("processes", None)
        return {
            "count": count,
            "merge": count,
            "annotations": ann,
            "embeddings": emb,
            "graph": graph,
        }

    def _done(self, stage: str, outputs: Sequence[Path]) -> bool:
        ok = self._reusable(stage, outputs)
        if ok:
            logger.info("stage %s: finished earlier with the same parameters; skipped", stage)
        return ok

    def _record(self, stage: str, seconds: float, extra: dict[str, Any] | None = None) -> None:
        self.stages[stage] = {
            "params": _hash(self._params()[stage]),
            "seconds": round(seconds, 2),
            "peak_rss": _peak_rss_mb(),
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
            **(extra or {}),
        }
        self.work.mkdir(parents=True, exist_ok=True)
        with atomic_write(self._stages_path) as fh:
            json.dump(self.stages, fh, indent=2)
        logger.info("stage %s: %.1f s, peak RSS %s", stage, seconds, self.stages[stage]["peak_rss"])

    # ------------------------------------------------------------------ stages
    def run(self) -> LabelGraph:
        """Run every stage; returns the saved graph (``work/`` deleted after saving it when
        ``drop_work``)."""
        self.prepare()
        if not self.resume and self._stages_path.exists():
            self._stages_path.unlink()
        if self._work_dropped:
            self._announce_dropped_work()
        self.count()
        self.merge()
        self.annotations()
        self.embeddings()
        graph = self.graph()
        if self.drop_work:
            self._drop_work()
        return graph

    def _drop_work(self) -> None:
        size, files = _tree_bytes(self.work)
        shutil.rmtree(self.work, ignore_errors=False)
        logger.info(
            "dropped %s (%d files, %.1f MB of intermediate files); a later --resume redoes the "
            "count and merge stages",
            self.work,
            files,
            size / 1e6,
        )

    def count(self) -> None:
        t0 = time.perf_counter()
        c = self.config
        options = self._reader_options()
        if not c.readahead:  # changes speed, not results: not part of the stage parameters
            options["readahead"] = False
        corpus = self.corpus_factory(c.corpus, self.matcher, c.processes, c.progress, **options)
        shards = corpus.shards()
        if not shards:
            raise InputError(f"corpus {c.corpus} has no shards (no readable files)")
        self._shard_keys = [s.key for s in shards]
        (self.work / "shards").mkdir(parents=True, exist_ok=True)
        (self.work / "sentences").mkdir(parents=True, exist_ok=True)
        params_hash = _hash(self._params()["count"])
        todo = []
        reused = 0
        for s in shards:
            npz = self.work / "shards" / f"{s.key}.npz"
            txt = self.work / "sentences" / f"{s.key}.txt"
            if self.resume and npz.is_file() and txt.is_file():
                try:
                    meta = CooccurrenceCounts.load(npz).meta
                except InputError:
                    meta = {}
                if meta.get("params_hash") == params_hash:
                    reused += 1
                    continue
            todo.append(s)
        if reused:
            logger.info(
                "count: %d of %d shards already counted; %d to go", reused, len(shards), len(todo)
            )
        fn = functools.partial(
            _count_shard,
            n_labels=len(self.vocab),
            window=c.window,
            examples_per_pair=c.examples_per_pair,
            document_max_labels=c.document_max_labels,
            shard_index={s.key: i for i, s in enumerate(shards)},
            work=str(self.work),
            params_hash=params_hash,
            visual=self._visual,
        )
        stats = None
        if todo:
            for _shard, _info in corpus.map_shards(fn, todo, c.processes):
                pass
            stats = corpus.stats.to_dict() if hasattr(corpus.stats, "to_dict") else None
        with atomic_write(self.work / "shard_keys.json") as fh:
            json.dump(self._shard_keys, fh)
        prev = self.stages.get("count") or {}
        earlier = 0.0
        if reused and prev.get("params") == params_hash:
            earlier = float(prev.get("seconds", 0)) + float(prev.get("seconds_before_resume", 0))
        self._record(
            "count",
            time.perf_counter() - t0,
            {
                "shards": len(shards),
                "reused_shards": reused,
                "seconds_before_resume": round(earlier, 2),
                "corpus_stats": stats if stats is not None else prev.get("corpus_stats"),
            },
        )

    def merge(self) -> None:
        text_counts = self.out / "counts" / "text_counts.npz"
        sentences = self.work / "sentences.txt"
        if self._done("merge", self._outputs("merge")):
            return
        t0 = time.perf_counter()
        keys = json.loads((self.work / "shard_keys.json").read_text(encoding="utf-8"))
        from tqdm.auto import tqdm

        parts = []
        docs = sents = toks = 0
        visual: dict[str, int] = {}
        examples: dict[int, list[int]] = {}
        cap = self.config.examples_per_pair
        for key in tqdm(keys, desc="merge counts", unit="shard", disable=not self.config.progress):
            part = CooccurrenceCounts.load(self.work / "shards" / f"{key}.npz")
            info = part.meta.get("shard", {})
            docs += info.get("documents", 0)
            sents += info.get("sentences", 0)
            toks += info.get("tokens", 0)
            for key_ in ("scene_sentences", "captions"):
                if key_ in info:
                    visual[key_] = visual.get(key_, 0) + info[key_]
            # examples: first `cap` references per pair, in shard order (one dict, no copies)
            for k, refs in part.examples.items():
                have = examples.get(k)
                if have is None:
                    examples[k] = refs[:cap]
                elif len(have) < cap:
                    have.extend(refs[: cap - len(have)])
            part.examples = {}
            parts.append(part)
            if len(parts) >= 16:  # bounded memory: fold in batches
                parts = [CooccurrenceCounts.merge_all(parts)]
        merged = CooccurrenceCounts.merge_all(parts)
        merged.examples = examples
        merged.meta["corpus"] = {"documents": docs, "sentences": sents, "tokens": toks, **visual}
        merged.meta.pop("shard", None)
        merged.meta.pop("params_hash", None)
        merged.save(text_counts)
        with atomic_path(sentences) as tmp, open(tmp, "wb") as dst:
            for key in keys:
                with open(self.work / "sentences" / f"{key}.txt", "rb") as src:
                    shutil.copyfileobj(src, dst, 1 << 20)
        self._record(
            "merge",
            time.perf_counter() - t0,
            {"documents": docs, "sentences": sents, "tokens": toks},
        )

    def annotations(self) -> None:
        path = self.out / "counts" / "annotation_counts.npz"
        if not self.config.annotations:
            self._record("annotations", 0.0, {"files": 0})
            return
        if self._done("annotations", self._outputs("annotations")):
            return
        from labelgraph.annotations import count_annotations

        t0 = time.perf_counter()
        counts, report = count_annotations(self.config.annotations, self.vocab)
        counts.meta["report"] = report.to_dict()
        counts.save(path)
        self._record("annotations", time.perf_counter() - t0, {"report": report.to_dict()})

    def embeddings(self) -> None:
        kv_path = self.out / "embeddings" / "word2vec.bin"
        vec_path = self.out / "embeddings" / "label_vectors.npz"
        if not self.config.embeddings:
            self._record("embeddings", 0.0, {"trained": False})
            return
        if self._done("embeddings", self._outputs("embeddings")):
            return
        t0 = time.perf_counter()
        kv = train_word2vec(
            corpus_file=self.work / "sentences.txt",
            config=self.config.word2vec,
            progress=self.config.progress,
        )
        save_keyed_vectors(kv, kv_path)
        emb, missing, how = label_vectors(kv, self.matcher.phrases)
        with atomic_write(vec_path, "wb") as fh:
            np.savez(fh, embeddings=emb, missing=missing, how=np.asarray(how))
        found = {h: how.count(h) for h in ("phrase", "words", "missing")}
        self._record(
            "embeddings",
            time.perf_counter() - t0,
            {"words": len(kv), "dim": kv.vector_size, "label_vectors": found},
        )

    def _source_adjacencies(
        self,
        text: CooccurrenceCounts,
        ann: CooccurrenceCounts | None,
        emb: np.ndarray | None,
        missing: np.ndarray | None,
    ):
        c = self.config
        params = c.to_dict()
        text_name, text_opts = edge_builder_spec(params, "text")
        ann_name, ann_opts = edge_builder_spec(params, "annotation")
        text, context = text_context_counts(text, params)
        full = {"text": create_edge_builder(text_name, **text_opts)(text, context)}
        if ann is not None:
            full["annotation"] = create_edge_builder(ann_name, **ann_opts)(ann, "image")
        self._annotation_builder = {"name": ann_name, "options": ann_opts}
        if emb is not None:
            full["embedding"] = cosine_knn(emb, missing, k=c.knn)
        return full

    def graph(self) -> LabelGraph:
        t0 = time.perf_counter()
        c = self.config
        text = CooccurrenceCounts.load(self.out / "counts" / "text_counts.npz")
        ann_path = self.out / "counts" / "annotation_counts.npz"
        ann = CooccurrenceCounts.load(ann_path) if c.annotations else None
        emb = missing = None
        how: list[str] | None = None
        if c.embeddings:
            with np.load(self.out / "embeddings" / "label_vectors.npz", allow_pickle=False) as z:
                emb, missing, how = z["embeddings"], z["missing"], z["how"].tolist()
        full = self._source_adjacencies(text, ann, emb, missing)
        weights = {s: float(w) for s, w in c.weights.items() if s in full}
        combined = combine_sources(full, weights, top_k=c.top_k)
        adj = {s: sparsify(m, c.top_k) for s, m in full.items()}
        adj["combined"] = combined
        freqs = {"corpus": text.mentions.astype(np.float64)}
        totals = {
            "corpus": float(text.mentions.sum()),
            "sentences": float(text.total("sentence")),
            "documents": float(text.total("document")),
        }
        if ann is not None:
            freqs["annotation"] = ann.unigram("image").astype(np.float64)
            totals["annotation"] = float(ann.total("image"))
        scoring = {
            **DEFAULT_SCORING,
            "prior_annotation_weight": c.prior_annotation_weight,
            "association_weight": c.association_weight,
            "negative_weight": c.negative_weight,
            "completion": c.completion,
            "completion_text_weight": c.completion_text_weight,
            "completion_prior_weight": c.completion_prior_weight,
            "completion_hypernym_weight": c.completion_hypernym_weight,
            "prior_backoff": c.prior_backoff,
        }
        examples = self._examples(text, [adj["text"], adj["combined"]])
        with atomic_write(self.out / "counts" / "examples.json") as fh:
            json.dump(examples, fh)
        report = self._report(text, ann, how)
        manifest = {
            "built_by": "labelgraph build",
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "inputs": {
                "corpus": [_file_info(p, checksum=False) for p in c.corpus],
                "labels": _file_info(c.labels),
                "trainable": _file_info(c.trainable) if c.trainable else None,
                "annotations": [_file_info(a) for a in c.annotations],
            },
            "parameters": c.to_dict(),
            "counts": {**text.meta.get("corpus", {}), **report["summary"]},
            "annotation_report": ann.meta.get("report") if ann is not None else None,
            "stages": self.stages,
            "work": self._work_record(),
            "package_versions": package_versions(),
        }
        g = LabelGraph(
            self.vocab,
            adj,
            embeddings=emb,
            missing=missing,
            frequencies=freqs,
            totals=totals,
            scoring=scoring,
            manifest=manifest,
            combination={
                "weights": weights,
                "top_k": c.top_k,
                "annotation_edges": getattr(self, "_annotation_builder", None),
            },
            annotation_pairs=ann.pairs("image") if ann is not None else None,
        )
        del text, ann, full, combined, adj  # free the counts before writing
        self._record(
            "graph",
            time.perf_counter() - t0,
            {"edges": g.summary()["edges"], "name_head_hypernyms": int(g.hypernyms().nnz)},
        )
        g.manifest["stages"] = self.stages
        g.save(self.out)
        del g
        self._write_report(report)
        return LabelGraph.load(self.out)

    # ------------------------------------------------------------------ helpers
    def _work_record(self) -> dict[str, Any]:
        """Size of ``work/`` when the graph is saved, and whether it is then dropped."""
        size, files = _tree_bytes(self.work)
        return {"bytes": size, "files": files, "dropped": bool(self.drop_work)}

    def _examples(self, text: CooccurrenceCounts, adjacencies: Sequence[Any]) -> dict[str, Any]:
        """Example sentences for each label's ``example_neighbors`` strongest pairs in each of
        ``adjacencies`` (text and combined edges) that were seen in one sentence, read back
        from the shard sentence files (our own output, not the corpus)."""
        c = self.config
        n = len(self.vocab)
        keys: set[int] = set()
        for text_adj in adjacencies if c.examples_per_pair else []:
            for i in range(n):
                lo, hi = text_adj.indptr[i], text_adj.indptr[i + 1]
                if hi == lo:
                    continue
                cols, vals = text_adj.indices[lo:hi], text_adj.data[lo:hi]
                for j in cols[np.argsort(-vals, kind="stable")[: c.example_neighbors]]:
                    a, b = (i, int(j)) if i < j else (int(j), i)
                    keys.add(a * n + b)
        wanted: dict[int, dict[int, list[int]]] = {}  # shard -> line -> pair keys
        for key, refs in text.example_refs(keys).items():
            for ref in refs:
                wanted.setdefault(ref >> 32, {}).setdefault(ref & 0xFFFFFFFF, []).append(key)
        shard_keys = json.loads((self.work / "shard_keys.json").read_text(encoding="utf-8"))
        found: dict[int, list[str]] = {}
        for shard, lines in sorted(wanted.items()):
            path = self.work / "sentences" / f"{shard_keys[shard]}.txt"
            with open(path, encoding="utf-8") as fh:
                for lineno, line in enumerate(fh):
                    if lineno in lines:
                        sent = line.rstrip("\n").replace("_", " ")[:_EXAMPLE_CHARS]
                        for key in lines[lineno]:
                            found.setdefault(key, []).append(sent)
        codes = self.vocab.codes
        pairs = {f"{codes[k // n]}|{codes[k % n]}": v for k, v in sorted(found.items())}
        return {
            "examples_per_pair": c.examples_per_pair,
            "text": "lower-cased, phrase-joined tokens",
            "pairs": pairs,
        }

    def _report(
        self, text: CooccurrenceCounts, ann: CooccurrenceCounts | None, how: list[str] | None
    ) -> dict[str, Any]:
        seen = text.mentions > 0
        never = [i for i in range(len(self.vocab)) if not seen[i]]
        summary = {
            "labels": len(self.vocab),
            "labels_seen_in_corpus": int(seen.sum()),
            "labels_never_seen": len(never),
            "labels_unmatchable_name": len(self.matcher.unmatchable),
        }
        if ann is not None:
            summary["labels_in_annotations"] = int((ann.unigram("image") > 0).sum())
        if how is not None:
            summary["labels_with_embedding"] = sum(h != "missing" for h in how)
            summary["label_vectors_from_phrase"] = how.count("phrase")
            summary["label_vectors_from_words"] = how.count("words")
        top = np.argsort(-text.mentions, kind="stable")[:20]
        return {"summary": summary, "never": never, "top": [int(i) for i in top if seen[i]]}

    def _write_report(self, report: dict[str, Any]) -> None:
        codes, names = self.vocab.codes, self.vocab.names
        lines = ["labelgraph build report", ""]
        lines += [f"{k}: {v}" for k, v in report["summary"].items()]
        lines += ["", "stage seconds:"]
        lines += [
            f"  {s}: {r.get('seconds')} s, peak RSS {r.get('peak_rss')}"
            for s, r in self.stages.items()
        ]
        sizes = folder_sizes(self.out)
        lines += ["", "folder sizes (MB):"]
        for part, size in sizes.items():
            note = (
                " (dropped after the build: --drop-work)"
                if part == "work" and self.drop_work
                else ""
            )
            lines.append(f"  {part}: {size / 1e6:.1f}{note}")
        if self.drop_work:
            lines.append(f"  total without work: {(sizes['total'] - sizes['work']) / 1e6:.1f}")
        lines += ["", "most mentioned labels:"]
        freq = CooccurrenceCounts.load(self.out / "counts" / "text_counts.npz").mentions
        lines += [f"  {names[i]} ({codes[i]}): {int(freq[i])}" for i in report["top"]]
        lines += ["", f"never seen in the corpus: {len(report['never'])} labels (never_seen.csv)"]
        with atomic_write(self.out / "report.txt") as fh:
            fh.write("\n".join(lines) + "\n")
        with atomic_write(self.out / "never_seen.csv") as fh:
            fh.write("label_code,description\n")
            for i in report["never"]:
                name = names[i].replace('"', '""')
                fh.write(f'{codes[i]},"{name}"\n')


def _open_corpus(
    paths: Sequence[str], matcher: Any, processes: int, progress: bool, **options: Any
) -> Any:
    from corpora import open_corpus

    return open_corpus(
        list(paths), matcher=matcher, processes=processes, progress=progress, **options
    )
