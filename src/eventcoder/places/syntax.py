"""What the parse says of places: which words name one, and how they hang in a sentence.

The place stage (``eventcoder.places.locate``) decides with these: spaCy's place entities
and the proper nouns it missed (:func:`place_spans`), whether a place word is where
something happened (:func:`locative`), a speaker's (:func:`of_speaker`), an actor's
(:func:`owner`) or a destination (:func:`destination`), and which clause it is in
(:func:`clause_heads`, :func:`distance_in_clause`).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from eventcoder.actors.kb import normalise_name
from eventcoder.places.words import place_words

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# words inside place names: "Santa Cruz de la Sierra", "Cap-Haitien", "Dar es Salaam"
_NAME_JOINERS = frozenset({"-", "de", "la", "los", "las", "del", "el", "al", "es", "da", "do"})

CLAUSE_DEPS = frozenset({"ccomp", "advcl", "relcl", "acl", "parataxis", "conj", "csubj", "pcomp"})


def destination(token: Token) -> bool:
    return token.dep_ == "pobj" and token.head.lower_ in place_words().destination_prepositions


def owner(token: Token) -> Token | None:
    """The common noun a place name belongs to through "of" ("residents of Maracaibo",
    "the governor of Texas"), if any."""
    head = token.head
    if token.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN":
        return head.head
    return None


def actor_noun(token: Token) -> Token | None:
    """The noun a place name is part of the words of: "Birmingham police", "Kharkiv's
    mayor", "police in Birmingham", "residents of Maracaibo", "students from Lviv"."""
    head = token.head
    if head is token:
        return None
    if token.dep_ in ("compound", "nmod", "amod", "poss") and head.pos_ in ("NOUN", "PROPN"):
        return head
    attached = token.dep_ == "pobj" and head.lower_ in ("in", "of", "from") and head.dep_ == "prep"
    noun = head.head
    if attached and noun.pos_ in ("NOUN", "PROPN") and noun.ent_type_ not in PLACE_LABELS:
        return noun
    return None


def in_name(doc: Doc, index: int) -> bool:
    """Whether token ``index`` goes on a proper name: a proper noun, or a joiner between
    proper nouns ("de" in "Santa Cruz de la Sierra")."""
    if doc[index].pos_ == "PROPN":
        return True
    following = index + 1 < len(doc) and doc[index + 1].pos_ in ("PROPN", "DET", "ADP")
    return doc[index].text in _NAME_JOINERS and following


def place_spans(doc: Doc) -> list[Span]:
    """The entities spaCy calls places, and runs of proper nouns after a locative
    preposition that it missed or called otherwise ("in Zhanaozen", "in northern
    Marseille" taken for an organisation, "in Santa Cruz de la Sierra")."""
    spans = [ent for ent in doc.ents if ent.label_ in PLACE_LABELS]
    taken = {i for span in spans for i in range(span.start, span.end)}
    # the proper nouns' indices from the array of tags: a walk over every token in
    # Python costs more than the rest of the stage
    propn = doc.vocab.strings["PROPN"]  # a built-in symbol: its id
    proper = (doc.to_array("POS") == propn).nonzero()[0].tolist()
    end = 0
    for index in proper:
        if index < end or index in taken:
            continue
        end = index + 1
        while end < len(doc) and end not in taken and in_name(doc, end):
            end += 1
        run = doc[index:end]
        if locative(run.root) or owner(run.root) is not None or destination(run.root):
            spans.append(run)
    return sorted((s for s in spans if not _names_a_street(s)), key=lambda span: span.start)


def _names_a_street(span: Span) -> bool:
    """ "Wellington Street", "Tahrir Square": a name that a street word ends or follows is
    the street's, not a town's; and "University" of "Kyiv University" is no town."""
    words = place_words()
    standalone = words.building_words | words.street_words
    if all(token.lower_ in standalone for token in span):
        return True
    if len(span) > 1 and span[-1].lower_ in words.street_words:
        return True
    following = span.doc[span.end] if span.end < len(span.doc) else None
    return following is not None and following.lower_ in words.street_words


def named_countries(doc: Doc) -> set[str]:
    """Countries the text names or calls by their adjective ("the northern Lebanese
    city"), from the actor knowledge base's country names."""
    from eventcoder.filters import vocabulary

    by_name = vocabulary().country_by_name
    found = set()
    for ent in doc.ents:
        if ent.label_ in ("NORP", "GPE"):
            code = by_name.get(normalise_name(bare(ent.text)))
            if code:
                found.add(code)
    return found


def described_countries(doc: Doc) -> list[tuple[int, int, set[str]]]:
    """(start, end, countries) of the sentences that give a place noun a country ("the
    northern Lebanese city", "a town in northern Ghana"): they tell which of a name's
    places is meant."""
    from eventcoder.filters import vocabulary

    by_name = vocabulary().country_by_name
    place_nouns = place_words().place_nouns
    found: dict[int, tuple[int, set[str]]] = {}
    lower = doc.to_array("LOWER").tolist()
    nouns = {doc.vocab.strings[w] for w in place_nouns}  # the words' hashes
    for index in (i for i, word in enumerate(lower) if word in nouns):
        token = doc[index]
        if token.pos_ != "NOUN":
            continue
        words = [c for c in token.children if c.dep_ in ("amod", "compound", "nmod")]
        words += [
            g for c in token.children if c.dep_ == "prep" and c.lower_ == "in" for g in c.children
        ]
        codes = {code for w in words if (code := by_name.get(normalise_name(w.text)))}
        if codes:
            found.setdefault(token.i, (token.i, set()))[1].update(codes)
    if not found:
        return []
    sentences = [(sent.start, sent.end) for sent in doc.sents]
    given: dict[tuple[int, int], set[str]] = {}
    for index, (_, codes) in found.items():
        bounds = sentences[bisect_right([start for start, _ in sentences], index) - 1]
        given.setdefault(bounds, set()).update(codes)
    return [(start, end, codes) for (start, end), codes in given.items()]


def bare(text: str) -> str:
    words = text.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    return " ".join(words)


def region_cue(span: Span) -> bool:
    """ "the Donetsk region", "Borno state": a region word right after the name, or
    ending it."""
    last = span[-1]
    region_words = place_words().region_words
    if last.lower_ in region_words:
        return True
    following = span.doc[span.end] if span.end < len(span.doc) else None
    return following is not None and following.lower_ in region_words


def locative(token: Token) -> bool:
    """Whether ``token`` (a place name's head) hangs from a locative preposition, directly
    or through a place noun ("in the city of Homs", "on the outskirts of Kyiv")."""
    words = place_words()
    current = token
    via_noun = False
    for _ in range(5):
        head = current.head
        if head is current:
            return False
        if current.dep_ in ("pobj", "pcomp"):
            if head.lower_ in words.locative_prepositions:
                return True
            if via_noun and head.lower_ in words.place_noun_prepositions:
                return True
            if head.lower_ == "of" and head.head.lower_ in words.place_nouns:
                current, via_noun = head.head, True
                continue
            return False
        modifies = current.dep_ in ("compound", "amod", "nmod", "appos", "npadvmod", "poss")
        if modifies and head.lower_ in words.place_nouns:
            current, via_noun = head, True
            continue
        # a place noun the clause acts on or in: "shelled the outskirts of Kyiv", "flooded
        # parts of Derna", "the streets of Tehran filled with protesters"
        return via_noun and current.dep_ in ("dobj", "nsubj", "nsubjpass")
    return False


def of_speaker(token: Token, reporting_verbs: frozenset[str]) -> bool:
    """Whether the place hangs from the subject of a reporting verb ("officials in Rabat
    said", "a statement from the government in Vientiane said"): the speaker's place."""
    current = token
    for _ in range(8):
        head = current.head
        if head is current:
            return False
        if current.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in reporting_verbs:
            return True
        if current.pos_ in ("VERB", "AUX"):
            return False
        current = head
    return False


def clause_heads(token: Token) -> list[Token]:
    """The verb of ``token``'s clause, and the verbs it is conjoined to ("ambushed a
    convoy in Niger State and abducted eleven": the place is said once for both)."""
    heads = [clause_head(token)]
    while heads[-1].dep_ == "conj" and heads[-1].head is not heads[-1] and len(heads) < 4:
        heads.append(heads[-1].head)
    return heads


def clause_head(token: Token) -> Token:
    """The verb of the clause ``token`` belongs to (itself if it is one)."""
    current = token
    for _ in range(8):
        if current.pos_ in ("VERB", "AUX") or current.head is current:
            return current
        current = current.head
    return current


def distance_in_clause(token: Token, head: Token) -> int | None:
    """Steps from ``token`` up to ``head`` when no other clause starts between them."""
    current = token
    for steps in range(12):
        if current == head:
            return steps
        if current.dep_ in CLAUSE_DEPS and current.pos_ in ("VERB", "AUX"):
            return None
        if current.head is current:
            return None
        current = current.head
    return None
