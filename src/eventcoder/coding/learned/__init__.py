"""The learned event model beside the rules: sentence features, linear heads, and how
their scores combine with the rule coder's events (``combine``)."""

from eventcoder.coding.learned.model import (
    MODEL_DIR,
    EventModel,
    SentenceScores,
    Thresholds,
    load_event_model,
)

__all__ = ["MODEL_DIR", "EventModel", "SentenceScores", "Thresholds", "load_event_model"]
