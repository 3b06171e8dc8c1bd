"""Which language a document is written in, so that only English is parsed.

The coder's model, patterns and knowledge base are English: a German or Russian article
parsed as English gives no events and no sign of why. ``detect_language`` tells such a
document apart before it is parsed, and the coder stores it with its language instead.

The detector is py3langid (a naive Bayes model over byte n-grams, shipped in the
package; nothing is downloaded). It is asked about the lower-case words of a prefix
of the text only: names are capitalised, and an English sentence full of Polish,
Vietnamese or Turkish names ("Jarosław Kaczyński met Mateusz Morawiecki in Warszawa")
otherwise reads as Polish with 99.99% confidence, while the words between the names
are English. German nouns are capitalised too, but German keeps more than enough
lower-case words; scripts without case (Arabic, Chinese) keep every word.

It is conservative, because a false alarm loses an English article's events: a
document counts as non-English only with at least ``MIN_LETTERS`` letters in those
words and a language other than English at ``MIN_PROBABILITY`` or more. Measured on
the English sets (the packaged samples and 2,000 generated benchmark articles, the
163 PLOVER dev sentences, the test suite's YAML cases, name-heavy English sentences):
none flagged, and no English text gave the other languages together more than 0.39
(a bare word list of the benchmark templates; sentences and articles: 0.06). News
paragraphs in German, French, Spanish, Italian, Portuguese, Dutch, Polish, Turkish,
Russian, Ukrainian, Arabic and Chinese score 0.97 or more from 100 characters on.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

ENGLISH = "en"

# Only the beginning is read: the language of a news article does not change half-way,
# and a bounded prefix keeps a million-character document as quick as a short one.
PREFIX_CHARS = 2_000
# Fewer letters than this (in lower-case words) is a headline or a list of names:
# too little to be sure, so English.
MIN_LETTERS = 60
# The detector's probability (temperature-scaled by the text's length, so comparable
# across lengths) that a language other than English must reach.
MIN_PROBABILITY = 0.9

# Labels of the detector that are one language for this purpose, and the ISO 639-1 code
# they count as: dialects and regional varieties (Wu and Cantonese Chinese, Moroccan and
# Egyptian Arabic, Nynorsk), historic forms, and English-lexified Nigerian Pidgin and
# "no linguistic content" (numbers, symbols), which are never a reason to skip.
_SAME_LANGUAGE = {
    "wuu": "zh",
    "yue": "zh",
    "ary": "ar",
    "arz": "ar",
    "nn": "no",
    "uzs": "uz",
    "sdh": "ku",
    "ltg": "lv",
    "ext": "es",
    "hbo": "he",
    "grc": "el",
    "pcm": ENGLISH,
    "zxx": ENGLISH,
}

_WORD = re.compile(r"\S+")


def detect_language(text: str) -> str:
    """The language of ``text``: ``"en"`` unless another one is certain.

    An ISO 639-1 code (``"de"``, ``"ru"``, ``"zh"``) where the language has one, else
    the detector's ISO 639-3 code. Reads at most the first ``PREFIX_CHARS`` characters.
    """
    sample = _lower_case_words(text[:PREFIX_CHARS])
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return ENGLISH
    scores: dict[str, float] = {}
    for label, probability in _identifier().rank(sample):
        code = _SAME_LANGUAGE.get(label, label)
        scores[code] = scores.get(code, 0.0) + float(probability)
    code, probability = max(scores.items(), key=lambda item: item[1])
    if code == ENGLISH or probability < MIN_PROBABILITY:
        return ENGLISH
    return code


def _lower_case_words(text: str) -> str:
    """The words of ``text`` that do not start with a capital: names say little about
    the language of the sentence around them."""
    return " ".join(word for word in _WORD.findall(text) if not word[0].isupper())


@cache
def _identifier() -> Any:
    """The detector, loaded on first use (about 0.7 s) and kept for the process."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # type: ignore[import-untyped]

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
