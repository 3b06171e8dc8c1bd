"""Ingest: read articles from files and directories and clean their text."""

from eventcoder.ingest.clean import clean_text, split_seed_date
from eventcoder.ingest.readers import (
    SUPPORTED_SUFFIXES,
    build_document,
    estimate_count,
    iter_documents,
    sample_corpus_paths,
)

__all__ = [
    "SUPPORTED_SUFFIXES",
    "build_document",
    "clean_text",
    "estimate_count",
    "iter_documents",
    "sample_corpus_paths",
    "split_seed_date",
]
