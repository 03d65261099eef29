"""Label vocabulary, word2vec embeddings, co-occurrence statistics and the LabelGraph artifact."""

__version__ = "0.1.0"
