"""eventcoder: news articles in, CAMEO/PLOVER political events out."""

from eventcoder.errors import (
    DataError,
    EvalError,
    EventCoderError,
    InputError,
    ModelError,
    StoreError,
)
from eventcoder.model import (
    Actor,
    Document,
    Event,
    Evidence,
    Modality,
    Plover,
    Reports,
    StoredEvent,
    StoredMention,
)

__version__ = "0.1.0"

__all__ = [
    "Actor",
    "DataError",
    "Document",
    "EvalError",
    "Event",
    "EventCoderError",
    "Evidence",
    "InputError",
    "Modality",
    "ModelError",
    "Plover",
    "Reports",
    "StoreError",
    "StoredEvent",
    "StoredMention",
    "__version__",
]
