"""The triage and qualification assistant: kinds, candidates, parts, languages, quotes."""

from __future__ import annotations

import datetime
import json

import pytest

from tergeu.qualification.assistant import Assessment, Candidate, assess
from tergeu.qualification.models import ArticlePart
from tergeu.qualification.triage import Kind

ON = datetime.date(2025, 6, 1)


def _top(text: str, lang: str | None = None, **facts: object) -> Candidate:
    result = assess(text, lang, facts=facts or None, on=ON)
    assert result.kind == Kind.CRIME, (result.kind, result.kind_reasons)
    assert result.candidates
    return result.candidates[0]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Вчера в автобусе у меня украли телефон стоимостью 150 000 тенге", Kind.CRIME),
        ("Соседи каждую ночь громко слушают музыку после 23:00", Kind.ADMINISTRATIVE),
        ("Друг занял 300 000 тенге под расписку и не возвращает долг", Kind.CIVIL),
        ("Участковый нагрубил мне и отказался принять заявление", Kind.COMPLAINT_OFFICIAL),
        ("Подскажите, как получить справку о несудимости?", Kind.INFORMATION_REQUEST),
        ("Спасибо за помощь", Kind.OTHER),
        ("Барлық қызметкерлерді мерекемен құттықтаймын!", Kind.OTHER),
        ("Thank you, have a nice day", Kind.OTHER),
        ("Көршілер түнде қатты музыка қосады", Kind.ADMINISTRATIVE),
        ("Досым 200 мың теңге қарызға алып, қайтармай жүр", Kind.CIVIL),
        ("How can I get a certificate of no criminal record?", Kind.INFORMATION_REQUEST),
        ("The investigator was rude to me and ignored my complaint", Kind.COMPLAINT_OFFICIAL),
    ],
)
def test_triage_by_kind(text: str, kind: Kind) -> None:
    result = assess(text, on=ON)
    assert result.kind == kind, result.kind_reasons
    assert 0 < result.kind_confidence <= 1
    assert result.kind_reasons
    assert all(isinstance(r, str) and r for r in result.kind_reasons)
    if kind != Kind.CRIME:
        assert result.candidates == []


@pytest.mark.parametrize(
    ("text", "lang", "article", "part", "paragraph"),
    [
        ("У меня украли кошелек на рынке, там было 45 000 тенге", "ru", "188", "1", ""),
        ("Ночью взломали дверь квартиры и украли телевизор за 300 000 тг", "ru", "188", "3", "3"),
        ("Түнде пәтерімнің есігін бұзып кіріп, теледидарды ұрлап кетті", "kk", "188", "3", "3"),
        ("Somebody broke into my house and stole my laptop", "en", "188", "3", "3"),
        ("Двое парней ударили меня и отобрали телефон", "ru", "191", "2", "1"),
        ("Напали с ножом, забрали телефон и деньги", "ru", "192", "2", "4"),
        ("A man with a knife attacked me and took my phone", "en", "192", "2", "4"),
        (
            "Позвонили из банка, я сказал код из смс, с карты списали 200 000 тенге",
            "ru",
            "190",
            "2",
            "4",
        ),
        ("Мені алаяқтар алдап, Kaspi картамнан 150 мың теңге аударып алды", "kk", "190", "2", "4"),
        ("Сосед угрожал убить меня, говорил что зарежет", "ru", "115", "", ""),
        ("Угнали машину от дома ночью", "ru", "200", "1", ""),
        ("Муж избил меня, синяки, сотрясение", "ru", "108-1", "1", ""),
        ("В драке мне сломали челюсть, средней тяжести вред", "ru", "107", "1", ""),
        ("Мою дочь 15 лет изнасиловал сосед", "ru", "120", "3-1", "1"),
        (
            "A driver ran over a pedestrian on the crossing and the pedestrian died",
            "en",
            "345",
            "3",
            "",
        ),
        ("Инспектор требовал взятку 50 000 тенге", "ru", "366", "1", ""),
    ],
)
def test_article_part_and_paragraph(
    text: str, lang: str, article: str, part: str, paragraph: str
) -> None:
    top = _top(text, lang)
    assert (top.article, top.part, top.paragraph) == (article, part, paragraph)


def test_group_chooses_part_two_and_facts_are_evidence() -> None:
    alone = _top("Из сумки в автобусе вытащили кошелек")
    assert (alone.article, alone.part) == ("188", "1")
    group = _top("Из сумки в автобусе вытащили кошелек", group=True)
    assert (group.article, group.part, group.paragraph) == ("188", "2", "1")
    weapon = _top("Двое ударили меня и отобрали телефон", weapon=True)
    assert (weapon.article, weapon.part, weapon.paragraph) == ("192", "2", "4")


def test_wrong_event_kind_does_not_override_the_text() -> None:
    result = assess(
        "Соседи громко слушают музыку каждую ночь", facts={"event_kind": "robbery"}, on=ON
    )
    assert result.kind == Kind.ADMINISTRATIVE
    assert any("robbery" in reason for reason in result.kind_reasons)
    vague = assess("Помогите пожалуйста", facts={"event_kind": "fraud"}, on=ON)
    assert vague.kind == Kind.CRIME
    assert vague.candidates[0].article == "190"


@pytest.mark.django_db
@pytest.mark.usefixtures("code")
def test_quotes_are_the_codes_text() -> None:
    for text in [
        "Ночью взломали дверь квартиры и украли телевизор",
        "Сосед угрожал убить меня",
        "Мошенники развели по телефону, перевел 100 000 тенге на карту",
    ]:
        for candidate in assess(text, on=ON).candidates:
            stored = ArticlePart.objects.get(
                article_id=candidate.article, number=candidate.part, repealed=False
            )
            assert candidate.quote == stored.text
            assert stored.article.title == candidate.title
            if candidate.paragraph:
                assert candidate.paragraph in stored.paragraphs


@pytest.mark.usefixtures("catalogues")
def test_found_and_missing_elements_in_the_reports_language() -> None:
    ru = _top("У меня украли телефон в автобусе", "ru")
    assert [f["code"] for f in ru.found] == ["taking_secret"]
    assert {m["code"] for m in ru.missing} == {"amount", "premises"}
    assert all(m["question"].endswith("?") for m in ru.missing)
    kk = _top("Автобуста телефонымды ұрлап кетті", "kk")
    en = _top("My phone was stolen on the bus", "en")
    assert ru.found[0]["label"] != en.found[0]["label"] != kk.found[0]["label"]
    assert en.found[0]["label"] == "Property taken secretly"


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Украли телефон", "ru"), ("Телефонымды ұрлап кетті", "kk"), ("My phone was stolen", "en")],
)
def test_language_detected(text: str, lang: str) -> None:
    assert assess(text, on=ON).language == lang
    assert assess(text, "ru", on=ON).language == "ru"


def test_as_json_is_stable_and_serialisable() -> None:
    result: Assessment = assess(
        "Ночью взломали дверь квартиры и украли золото на 3 млн тенге", "ru", on=ON
    )
    data = result.as_json()
    assert json.loads(json.dumps(data)) == data
    assert data["model"] == "tergeu-qualification-rules"
    assert data["version"]
    assert data["kind"] == "crime"
    assert data["candidates"][0]["article"] == "188"
    assert data["kind_reasons"][0]["code"] == "crime_elements"
    assert set(data["candidates"][0]) >= {
        "article",
        "part",
        "paragraph",
        "title",
        "confidence",
        "quote",
        "found",
        "missing",
    }
    assert len(data["candidates"]) <= 5


def test_deterministic() -> None:
    text = "Двое парней избили меня у подъезда и отобрали телефон за 200 000 тенге"
    first = assess(text, on=ON).as_json()
    for _ in range(3):
        assert assess(text, on=ON).as_json() == first


def test_classifier_is_a_second_opinion_where_the_lexicon_is_silent() -> None:
    # "скрали" (a misspelt "украли") is in no lexicon; the character n-grams carry it
    result = assess("вчера у меня скрали сумку на вокзале", "ru", on=ON)
    assert result.kind == Kind.CRIME
    assert result.reason_codes[0]["code"] == "classifier"
    assert result.candidates[0].article == "188"
    assert result.candidates[0].source == "classifier"
    assert result.candidates[0].found == []
    nothing = assess("Спасибо за помощь", "ru", on=ON)
    assert nothing.kind == Kind.OTHER
    assert nothing.reason_codes[0]["code"] == "courtesy"
    thanks_but = assess("Спасибо, но у меня украли телефон", "ru", on=ON)
    assert thanks_but.kind == Kind.CRIME


def test_the_last_held_out_sets_are_not_trained_on() -> None:
    from tergeu.qualification.classifier import TRAIN_SETS, read_labelled

    assert "heldout3_set.jsonl" not in TRAIN_SETS
    assert "heldout4_set.jsonl" not in TRAIN_SETS
    texts = {text for text, _label in read_labelled()}
    assert "Моего сына похитили, требуют выкуп" not in texts
    assert "Всем хорошего дня!" not in texts
    assert len(texts) > 450


@pytest.mark.parametrize(
    "text",
    ["Потерял кошелек где-то в центре", "Әмиянымды жоғалтып алдым", "I lost my phone in a taxi"],
)
def test_lost_property_is_not_an_offence(text: str) -> None:
    result = assess(text, on=ON)
    assert result.kind == Kind.OTHER
    assert result.reason_codes[0]["code"] == "lost"
    assert result.candidates == []
