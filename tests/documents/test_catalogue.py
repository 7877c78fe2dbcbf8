"""The catalogue of document types: its data, its checks, its legal basis and its texts."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tergeu.cases.models import Case
from tergeu.documents import services
from tergeu.documents.catalogue import (
    CATALOGUE,
    DATA_FILE,
    LANGUAGES,
    CatalogueError,
    Ref,
    parse,
)
from tergeu.documents.effects import EFFECTS
from tergeu.documents.rendering import basis, cite_code, format_date, qualification

from .samples import sample_fields

CPC_FILE = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "kz-criminal-procedure-code.ru.jsonl"
)

REQUIRED_CODES = {
    "resolution_acceptance",
    "resolution_electronic_format",
    "resolution_victim",
    "resolution_qualification",
    "resolution_interruption",
    "resolution_resumption",
    "resolution_termination",
    "protocol_interrogation_victim",
    "protocol_interrogation_witness",
    "protocol_interrogation_suspect",
    "protocol_scene_inspection",
    "request_term_extension",
}

#: The heading words each kind of document opens with, per language.
HEADINGS = {
    "resolution": {"kk": "ҚАУЛЫ", "ru": "ПОСТАНОВЛЕНИЕ", "en": "RESOLUTION"},
    "protocol": {"kk": "ХАТТАМАСЫ", "ru": "ПРОТОКОЛ", "en": "PROTOCOL"},
    "request": {"kk": "ӨТІНІШХАТ", "ru": "ХОДАТАЙСТВО", "en": "REQUEST"},
    "summons": {"kk": "ШАҚЫРУ ҚАҒАЗЫ", "ru": "ПОВЕСТКА", "en": "SUMMONS"},
}


def _raw() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def test_catalogue_has_every_required_type() -> None:
    codes = {t.code for t in CATALOGUE}
    assert codes >= REQUIRED_CODES
    assert CATALOGUE.get("resolution_electronic_format").effect == "electronic_format"  # type: ignore[union-attr]
    assert set(EFFECTS) == {t.effect for t in CATALOGUE if t.effect}


def test_every_type_has_titles_in_three_languages_and_templates() -> None:
    for doc_type in CATALOGUE:
        for lang in LANGUAGES:
            assert doc_type.title.text(lang)
            template = Path(DATA_FILE).parent.parent / "templates" / doc_type.template_name(lang)
            assert template.exists(), template


def _cpc_units() -> dict[str, dict[str | None, str]]:
    units: dict[str, dict[str | None, str]] = {}
    with CPC_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            meta = row["meta"]
            units.setdefault(str(meta["article"]), {})[meta["unit_number"]] = row["text"]
    return units


@pytest.mark.skipif(not CPC_FILE.exists(), reason="the CPC text is not beside the checkout")
def test_every_cited_article_part_and_point_exists_in_the_code() -> None:
    units = _cpc_units()
    refs: list[Ref] = []
    for doc_type in CATALOGUE:
        refs.extend(doc_type.articles)
        refs.extend(c.ref for f in doc_type.fields for c in f.choices if c.ref)
    for ref in refs:
        assert ref.article in units, ref
        if ref.part:
            assert ref.part in units[ref.article], ref
            if ref.point:
                assert re.search(
                    rf"(^|\n){re.escape(ref.point)}\)", units[ref.article][ref.part]
                ), ref


def test_interruption_grounds_are_the_nine_of_article_45_part_7() -> None:
    ground = CATALOGUE.get("resolution_interruption").field("ground")  # type: ignore[union-attr]
    assert [str(c.ref) for c in ground.choices] == [f"CPC art. 45(7)({i})" for i in range(1, 10)]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["types"][0].update(kind="letter"), "kind"),
        (lambda d: d["types"][0]["title"].pop("kk"), "label"),
        (lambda d: d["types"][0].update(effect="teleport"), "unknown effect"),
        (lambda d: d["types"][0].update(articles=["art. 5"]), "bad CPC reference"),
        (lambda d: d["types"][0].update(articles=[]), "CPC articles"),
        (lambda d: d["types"][0]["fields"].append({"use": "nothing"}), "unknown shared field"),
        (lambda d: d["types"][1]["fields"][0].update(type="blob"), "unknown type"),
        (lambda d: d["types"][1]["fields"][0].update(name="version"), "bad field name"),
        (lambda d: d["types"][3]["fields"][1].update(choices=[]), "choices"),
        (lambda d: d["types"].append(copy.deepcopy(d["types"][0])), "duplicate type codes"),
        (lambda d: d["types"][3].update(participant_status="alien"), "participant status"),
        (lambda d: d["types"][1]["fields"][0].update(min=1), "min and max"),
        (lambda d: d["types"][4]["fields"][2].update(pattern="("), "bad pattern"),
    ],
)
def test_a_broken_catalogue_is_refused(mutate: Any, message: str | None) -> None:
    data = _raw()
    mutate(data)
    with pytest.raises(CatalogueError, match=message or ""):
        parse(data)


def test_the_shipped_catalogue_parses_to_the_loaded_one() -> None:
    assert parse(_raw()) == CATALOGUE


@pytest.mark.parametrize("doc_type", list(CATALOGUE), ids=lambda t: t.code)
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.django_db
def test_every_type_renders_in_every_language(
    doc_type: Any, language: str, case: Case, investigator: Any, people: dict[str, str]
) -> None:
    if doc_type.code == "resolution_paper_format":
        Case.objects.filter(pk=case.pk).update(electronic=True)
    fields = sample_fields(doc_type.code, people)
    doc = services.create_draft(investigator, case.pk, doc_type.code, fields, language)
    body = doc.body
    assert HEADINGS[doc_type.kind][language] in body
    assert case.erdr_number in body
    assert "{{" not in body
    assert "{%" not in body
    assert "None" not in body
    assert "\n\n\n" not in body
    assert "Серикова А.Б." in body  # the signature line
    assert doc.title == doc_type.title.text(language)
    for spec in doc_type.fields:
        value = fields.get(spec.name)
        if spec.type in ("text", "textarea") and value and spec.name != "place":
            assert value.strip() in body, spec.name


def test_legal_citations_in_each_language() -> None:
    ref = Ref.parse("45(7)(1)")
    assert cite_code(ref, "ru") == "п. 1) ч. 7 ст. 45 УПК Республики Казахстан"
    assert cite_code(ref, "kk") == "Қазақстан Республикасы ҚПК-нің 45-бабы 7-бөлігінің 1) тармағы"
    assert cite_code(ref, "en") == (
        "art. 45(7)(1) of the Criminal Procedure Code of the Republic of Kazakhstan"
    )
    refs = (Ref.parse("71(1)"), Ref.parse("71(3)"), Ref.parse("198(1)"))
    assert basis(refs, "ru") == "ч. 1, 3 ст. 71, ч. 1 ст. 198 УПК Республики Казахстан"
    assert basis(refs, "kk") == (
        "Қазақстан Республикасы ҚПК-нің 71-бабының 1, 3-бөліктерін, 198-бабының 1-бөлігін"
    )
    assert basis((Ref("199"), Ref("212")), "ru") == "ст. 199, 212 УПК Республики Казахстан"
    assert qualification("188", "2", "1", "ru") == "п. 1 ч. 2 ст. 188 УК РК"
    assert qualification("188", "2", "", "kk", locative=True) == "ҚР ҚК-нің 188-бабының 2-бөлігінде"


def test_dates_as_documents_write_them() -> None:
    import datetime as dt

    day = dt.date(2025, 3, 5)
    assert format_date(day, "ru") == "«5» марта 2025 года"
    assert format_date(day, "kk") == "2025 жылғы 5 наурыз"
    assert format_date(day, "kk", locative=True) == "2025 жылғы 5 наурызда"
    assert format_date(day, "en") == "5 March 2025"
