"""Coding: trigger patterns, extraction from the parse, modality and event dates."""

from eventcoder.coding.dates import ResolvedDate, resolve_date
from eventcoder.coding.extract import Extractor
from eventcoder.coding.patterns import Vocabulary, load_vocabulary

__all__ = ["Extractor", "ResolvedDate", "Vocabulary", "load_vocabulary", "resolve_date"]
