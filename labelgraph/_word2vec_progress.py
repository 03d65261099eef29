"""One tqdm bar for a gensim ``Word2Vec`` training run, and gensim's INFO lines kept off the
terminal (private to :mod:`labelgraph.embeddings`).

gensim reports progress in two ways: callbacks at the start and end of training and of each
epoch (:class:`gensim.models.callbacks.CallbackAny2Vec`; it calls no per-batch callback in
``corpus_file`` mode), and an INFO record ``EPOCH 2 - PROGRESS: at 41.50% words, ...`` at most
once a second when a worker reports. :class:`Word2VecProgress` is both a callback and a
:class:`logging.Filter` on gensim's loggers: the bar counts words (``epochs x`` the corpus's
words), moved to the end of each epoch by the callbacks and inside an epoch by the progress
records. In ``corpus_file`` mode each worker thread reports once, at the end of its share of
the file, so the bar moves about ``workers`` times per epoch. The filter then drops gensim's
INFO records unless they are wanted (``-v``); warnings always pass.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from gensim.models.callbacks import CallbackAny2Vec
from tqdm.auto import tqdm

__all__ = ["Word2VecProgress", "word2vec_progress", "gensim_info"]

_PROGRESS_MESSAGE = "EPOCH %i - PROGRESS: at %.2f%%"


class Word2VecProgress(CallbackAny2Vec, logging.Filter):
    """A word-count bar over all epochs of one training run.

    Args:
        epochs: the model's epochs.
        enabled: draw the bar (False: callbacks and filter still work, nothing is drawn).
        show_info: let gensim's INFO records through (they are dropped otherwise).
    """

    def __init__(self, epochs: int, enabled: bool = True, show_info: bool = False) -> None:
        CallbackAny2Vec.__init__(self)
        logging.Filter.__init__(self)
        self.epochs = max(int(epochs), 1)
        self.show_info = show_info
        self.words_per_epoch = 0
        self.epoch = 0
        self.bar = tqdm(
            total=None,
            desc="word2vec vocabulary",
            unit="word",
            unit_scale=True,
            disable=not enabled,
        )

    # ------------------------------------------------------------------ callbacks
    def on_train_begin(self, model: Any) -> None:
        self.words_per_epoch = int(getattr(model, "corpus_total_words", 0) or 0)
        self.bar.total = self.words_per_epoch * self.epochs or None
        self.bar.set_description("word2vec")
        self.bar.set_postfix_str(f"epoch 1/{self.epochs}")

    def on_epoch_begin(self, model: Any) -> None:
        self.bar.set_postfix_str(f"epoch {self.epoch + 1}/{self.epochs}")

    def on_epoch_end(self, model: Any) -> None:
        self.epoch += 1
        self._goto(self.epoch * self.words_per_epoch)

    def on_train_end(self, model: Any) -> None:
        self._goto(self.epochs * self.words_per_epoch)
        self.bar.close()

    # ------------------------------------------------------------------ log records
    def filter(self, record: logging.LogRecord) -> bool:
        """Move the bar on gensim's progress records; keep warnings, and INFO if wanted."""
        if isinstance(record.msg, str) and record.msg.startswith(_PROGRESS_MESSAGE):
            args = record.args if isinstance(record.args, tuple) else ()
            if len(args) >= 2 and isinstance(args[1], (int, float)):
                share = min(max(float(args[1]) / 100.0, 0.0), 1.0)
                self._goto(int((self.epoch + share) * self.words_per_epoch))
        return self.show_info or record.levelno >= logging.WARNING

    def _goto(self, n: int) -> None:
        if n > self.bar.n:
            self.bar.update(n - self.bar.n)

    def close(self) -> None:
        self.bar.close()


def _gensim_loggers() -> list[logging.Logger]:
    names = [
        n for n in logging.Logger.manager.loggerDict if n == "gensim" or n.startswith("gensim.")
    ]
    return [logging.getLogger(n) for n in sorted(names)]


@contextmanager
def _on_gensim_loggers(flt: logging.Filter) -> Iterator[None]:
    loggers = _gensim_loggers()
    for log in loggers:
        log.addFilter(flt)
    try:
        yield
    finally:
        for log in loggers:
            log.removeFilter(flt)


@contextmanager
def word2vec_progress(
    epochs: int, enabled: bool = True, show_info: bool = False
) -> Iterator[Word2VecProgress]:
    """A :class:`Word2VecProgress` installed as a filter on every gensim logger for the
    duration of the block (removed afterwards); pass it in ``Word2Vec(callbacks=[...])``."""
    progress = Word2VecProgress(epochs, enabled=enabled, show_info=show_info)
    try:
        with _on_gensim_loggers(progress):
            yield progress
    finally:
        progress.close()


class _InfoFilter(logging.Filter):
    def __init__(self, show_info: bool) -> None:
        super().__init__()
        self.show_info = show_info

    def filter(self, record: logging.LogRecord) -> bool:
        return self.show_info or record.levelno >= logging.WARNING


@contextmanager
def gensim_info(show: bool) -> Iterator[None]:
    """gensim's INFO records pass only when ``show`` for the duration of the block."""
    with _on_gensim_loggers(_InfoFilter(show)):
        yield
