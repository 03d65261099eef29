"""Corpus readers: Wikipedia XML dumps, WikiExtractor output and plain text as clean sentences."""

from corpora.errors import CorruptInputError, InputError

__all__ = ["InputError", "CorruptInputError"]
