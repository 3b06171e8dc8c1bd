"""Documents not in English: found before parsing, stored with their language, never recoded.

The detector must never flag English (a false alarm loses an article's events): the
packaged samples, generated benchmark articles, every text of the YAML test cases and
English sentences crowded with foreign names all stay "en", while news paragraphs in
other languages and scripts are flagged. The coder yields a flagged document with its
language and no events; the store keeps the language in ``documents.language`` (schema
4), and a database of schema 3 gets the column, "en" for what it held.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import create_engine, insert, text

from benchmarks.generator import generate_corpus
from eventcoder.ingest import iter_documents, sample_corpus_paths
from eventcoder.language import MIN_LETTERS, PREFIX_CHARS, detect_language
from eventcoder.model import Document
from eventcoder.pipeline import Coder
from eventcoder.store import SCHEMA_VERSION, open_store
from eventcoder.store.schema import documents

DAY = date(2024, 1, 25)
DATA = Path(__file__).resolve().parent / "data"

# Written for these tests: news paragraphs of the kind an English-only corpus gets by mistake.
FOREIGN = {
    "de": "Bundeskanzler Olaf Scholz hat am Montag in Berlin den polnischen Ministerpräsidenten "
    "empfangen. Die beiden Regierungschefs sprachen über die Unterstützung der Ukraine, die "
    "Sicherheit an der Ostgrenze der Europäischen Union und den Ausbau der Energieversorgung. "
    "Scholz sagte nach dem Treffen, Deutschland werde weitere Luftabwehrsysteme liefern.",
    "fr": "Le président Emmanuel Macron a reçu lundi à l'Élysée le chancelier allemand pour un "
    "entretien consacré à la guerre en Ukraine. Les deux dirigeants ont appelé la Russie à "
    "retirer ses troupes et ont promis de renforcer leur aide militaire. Le ministre des "
    "Affaires étrangères a ensuite annoncé de nouvelles sanctions contre Moscou.",
    "es": "El presidente del Gobierno español se reunió el martes en Madrid con su homólogo "
    "portugués para hablar de la crisis migratoria en el Mediterráneo. Ambos líderes firmaron "
    "un acuerdo de cooperación en materia de energía y pidieron a la Unión Europea más fondos "
    "para la vigilancia de las fronteras.",
    "ru": "Президент России Владимир Путин провёл в понедельник в Кремле переговоры с "
    "президентом Турции. Стороны обсудили ситуацию на Украине, поставки газа и сотрудничество "
    "в области атомной энергетики. По словам пресс-секретаря Кремля, лидеры договорились "
    "продолжить контакты в ближайшее время.",
    "uk": "Президент України Володимир Зеленський у вівторок зустрівся в Києві з "
    "прем'єр-міністром Польщі. Сторони обговорили постачання зброї, відновлення енергетичної "
    "інфраструктури та вступ України до Європейського Союзу. Зеленський подякував польському "
    "уряду за підтримку та допомогу біженцям.",
    "pl": "Prezydent Andrzej Duda spotkał się w środę w Warszawie z prezydentem Litwy. "
    "Przywódcy rozmawiali o bezpieczeństwie na wschodniej flance NATO, o sytuacji na granicy "
    "z Białorusią oraz o wsparciu dla Ukrainy. Minister spraw zagranicznych zapowiedział, że "
    "Polska przekaże kolejne transporty pomocy humanitarnej.",
    "ar": "التقى الرئيس المصري عبد الفتاح السيسي يوم الاثنين في القاهرة وزير الخارجية الأمريكي "
    "لبحث الأوضاع في قطاع غزة. وناقش الجانبان جهود التوصل إلى وقف لإطلاق النار وإدخال "
    "المساعدات الإنسانية، كما أكد السيسي رفض مصر لأي تهجير للفلسطينيين من أراضيهم.",
    "zh": "中国国家主席习近平周二在北京会见了来访的法国总统。双方就乌克兰局势、中欧贸易关系以及"
    "气候变化等问题深入交换了意见。习近平表示，中方愿同法方加强合作，共同维护世界和平与稳定。"
    "外交部发言人随后表示，两国将签署多项合作协议。",
    "it": "Il presidente del Consiglio ha incontrato martedì a Roma il primo ministro greco per "
    "discutere della crisi migratoria nel Mediterraneo. I due leader hanno firmato un accordo "
    "sulla cooperazione energetica e hanno chiesto all'Unione europea maggiori risorse per il "
    "controllo delle frontiere.",
    "tr": "Cumhurbaşkanı Recep Tayyip Erdoğan pazartesi günü Ankara'da Azerbaycan "
    "Cumhurbaşkanı ile bir araya geldi. İki lider, bölgesel güvenlik, enerji projeleri ve "
    "ticari ilişkilerin geliştirilmesi konularını ele aldı.",
}

# English that a detector reading names takes for Polish, Vietnamese or Turkish.
NAME_HEAVY = [
    "Jarosław Kaczyński, leader of Prawo i Sprawiedliwość, met Mateusz Morawiecki and "
    "Zbigniew Ziobro in Warszawa on Wednesday.",
    "Nguyễn Phú Trọng received Xi Jinping in Hà Nội; Phạm Minh Chính and Võ Văn Thưởng attended "
    "the talks, which lasted for more than three hours at the presidential palace.",
    "Recep Tayyip Erdoğan and Kemal Kılıçdaroğlu traded accusations in Ankara after Hakan Fidan "
    "met Sergei Lavrov in Moscow to discuss the grain corridor across the Black Sea.",
    'The protesters chanted "Wir sind das Volk" and "Nie wieder Krieg" outside the Reichstag '
    "on Saturday, and the police said that the march had been peaceful.",
    "Bundeskanzler Olaf Scholz told the Bundestag that the Zeitenwende would continue, while "
    "Friedrich Merz of the CDU/CSU accused him of dithering over Taurus missiles.",
    "WARSAW, POLAND -- POLAND'S PRESIDENT MET UKRAINE'S PRESIDENT IN WARSAW ON MONDAY, THE PAP "
    "AGENCY REPORTED, AND THE TWO LEADERS SIGNED AN AGREEMENT ON DEFENCE COOPERATION.",
]


def _yaml_texts() -> list[str]:
    found: list[str] = []
    for path in sorted(DATA.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            if isinstance(case, dict) and isinstance(case.get("text"), str):
                found.append(case["text"])
    return found


# -- the detector -----------------------------------------------------------------------


def test_no_sample_article_is_flagged() -> None:
    documents = [d for d in iter_documents(sample_corpus_paths()) if isinstance(d, Document)]
    assert len(documents) >= 21
    assert [d.doc_id for d in documents if detect_language(d.text) != "en"] == []


def test_no_generated_article_is_flagged() -> None:
    articles = generate_corpus(300)
    assert [a.doc_id for a in articles if detect_language(a.text) != "en"] == []


def test_no_text_of_the_yaml_cases_is_flagged() -> None:
    texts = _yaml_texts()
    assert len(texts) > 400
    assert [t for t in texts if detect_language(t) != "en"] == []


@pytest.mark.parametrize("sentence", NAME_HEAVY)
def test_english_crowded_with_foreign_names_is_english(sentence: str) -> None:
    assert detect_language(sentence) == "en"


@pytest.mark.parametrize("code", sorted(FOREIGN))
def test_foreign_news_is_flagged(code: str) -> None:
    assert detect_language(FOREIGN[code]) == code


def test_too_little_text_is_english() -> None:
    """Headlines, names, numbers and empty texts are too little to be sure of."""
    for short in (
        "",
        "   \n ",
        "2024-01-25 12:00 14.5% 1,200",
        "Bundesregierung beschließt neue Sanktionen gegen Russland",
        "Путин встретился с Эрдоганом",
        "习近平会见法国总统",
        FOREIGN["de"].upper(),  # no lower-case word: nothing to read
    ):
        assert detect_language(short) == "en", short
    assert len("Bundesregierung beschließt neue Sanktionen gegen Russland") < MIN_LETTERS


def test_only_the_beginning_is_read() -> None:
    english = "Poland's president met Ukraine's president in Kyiv on Monday. " * 40
    assert len(english) > PREFIX_CHARS
    assert detect_language(english + FOREIGN["ru"] * 1000) == "en"
    assert detect_language(FOREIGN["ru"] * 20 + english * 1000) == "ru"


def test_the_model_is_loaded_on_first_use_not_on_import() -> None:
    code = (
        "import sys, eventcoder.language as l, eventcoder.pipeline; "
        "print('py3langid' in sys.modules, l._identifier.cache_info().currsize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "0"]


# -- the coder -----------------------------------------------------------------------------


ENGLISH = (
    "Polish President Andrzej Duda met Ukrainian President Volodymyr Zelenskyy in Kyiv on "
    "Monday. Duda praised Ukraine's resolve."
)


def test_the_coder_does_not_parse_foreign_documents(coder: Coder) -> None:
    batch = [
        Document(doc_id="en1", text=ENGLISH, date=DAY),
        Document(doc_id="de", text=FOREIGN["de"], date=DAY, origin="news.jsonl:2"),
        Document(doc_id="ru", text=FOREIGN["ru"], date=DAY),
        Document(doc_id="en2", text=ENGLISH, date=DAY, language="xx"),
    ]
    errors: list[tuple[str, Exception]] = []
    coded = list(coder.code_documents(batch, on_error=lambda d, e: errors.append((d.doc_id, e))))
    assert errors == []
    assert [(d.doc_id, d.language, len(events) > 0) for d, events in coded] == [
        ("en1", "en", True),
        ("de", "de", False),
        ("ru", "ru", False),
        ("en2", "en", True),  # the coder's finding, not what came in
    ]
    # the document otherwise as it came in; its content hash does not see the language
    german = coded[1][0]
    assert german == Document(
        doc_id="de", text=FOREIGN["de"], date=DAY, origin="news.jsonl:2", language="de"
    )
    assert german.content_hash == batch[1].content_hash
    # English documents keep their identity and the events they get alone
    assert coded[0][0] is batch[0]
    alone = coder.code_text(ENGLISH, DAY, doc_id="en1")
    assert [e.to_record() for e in coded[0][1]] == [e.to_record() for e in alone]


def test_a_foreign_document_alone_gives_no_events(coder: Coder) -> None:
    assert coder.code_text(FOREIGN["pl"], DAY) == []


# -- the store -----------------------------------------------------------------------------


def _languages(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT doc_id, language FROM documents")).all()
    finally:
        engine.dispose()
    return {doc_id: language for doc_id, language in rows}


def test_the_store_keeps_the_language_and_a_foreign_document_stays_current(
    coder: Coder, db_url: str
) -> None:
    read = [
        Document(doc_id="en", text=ENGLISH, date=DAY),
        Document(doc_id="ar", text=FOREIGN["ar"], date=DAY),
    ]
    coded = list(coder.code_documents(read))
    with open_store(db_url) as store:
        store.write_many(coded, coder_version=coder.version)
        assert _languages(db_url) == {"en": "en", "ar": "ar"}
        # the next run reads the documents again ("en" by default): both are current,
        # so the foreign one is not coded again and again
        assert store.current_doc_ids(read, coder.version) == {"en", "ar"}
        # a new text replaces the language with the rest of the row
        store.write_document(Document(doc_id="ar", text=ENGLISH, date=DAY), [], coder_version="v")
        assert _languages(db_url) == {"en": "en", "ar": "en"}


def _write_schema_3(url: str) -> None:
    """A database as schema 3 left it: today's tables, ``documents`` without ``language``."""
    from sqlalchemy import MetaData, Table

    from eventcoder.store.schema import metadata

    md = MetaData()
    for table in metadata.sorted_tables:
        columns = [c._copy() for c in table.columns if c is not documents.c.language]
        Table(table.name, md, *columns)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            md.create_all(conn)
            conn.execute(insert(md.tables["meta"]).values(key="schema_version", value="3"))
            row: dict[str, Any] = {
                "doc_id": "old",
                "content_hash": "h",
                "date": DAY,
                "origin": "",
                "text": FOREIGN["de"],
                "n_events": 0,
                "coded_at": datetime.now(UTC),
                "coder_version": "eventcoder-0.1.0+md",
            }
            conn.execute(insert(md.tables["documents"]).values(**row))
    finally:
        engine.dispose()


def test_a_schema_3_database_gets_the_language_column(db_url: str) -> None:
    _write_schema_3(db_url)
    with open_store(db_url) as store:
        # what was stored was all parsed as English
        assert _languages(db_url) == {"old": "en"}
        store.write_document(
            Document(doc_id="new", text=FOREIGN["fr"], date=DAY, language="fr"),
            [],
            coder_version="v",
        )
        with store._engine.connect() as conn:
            version = conn.execute(text("SELECT value FROM meta")).scalar_one()
    assert version == str(SCHEMA_VERSION) == "6"
    assert _languages(db_url) == {"old": "en", "new": "fr"}
    with open_store(db_url) as store:  # reopening changes nothing
        assert store.counts().documents == 2
    assert _languages(db_url) == {"old": "en", "new": "fr"}
