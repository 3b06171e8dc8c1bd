"""Ingest: read articles from files and directories; their text as read and its shadow copy."""

from eventcoder.ingest.clean import Normalised, as_read, clean_text, normalise, split_seed_date
from eventcoder.ingest.readers import (
    SUPPORTED_SUFFIXES,
    build_document,
    check_paths,
    estimate_count,
    iter_documents,
    sample_corpus_paths,
)

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Normalised",
    "as_read",
    "build_document",
    "check_paths",
    "clean_text",
    "estimate_count",
    "iter_documents",
    "normalise",
    "sample_corpus_paths",
    "split_seed_date",
]
