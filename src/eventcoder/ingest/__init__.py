"""Ingest: read articles from files and directories and clean their text."""

from eventcoder.ingest.clean import clean_text, split_seed_date
from eventcoder.ingest.readers import (
    SUPPORTED_SUFFIXES,
    build_document,
    iter_documents,
    sample_corpus_paths,
)

__all__ = [
    "SUPPORTED_SUFFIXES",
    "build_document",
    "clean_text",
    "iter_documents",
    "sample_corpus_paths",
    "split_seed_date",
]
