"""eventcoder: news articles in, CAMEO/PLOVER political events out."""

from eventcoder.errors import (
    DataError,
    EvalError,
    EventCoderError,
    InputError,
    ModelError,
    StoreError,
)
from eventcoder.model import Actor, Document, Event, Evidence, Modality, Plover

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
    "StoreError",
    "__version__",
]
