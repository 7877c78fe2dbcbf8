"""Validating a qualification, finding articles and citing them."""

from __future__ import annotations

import pytest
from django.utils import translation

from tergeu.core.errors import NotFound, ValidationFailed
from tergeu.integrity.models import Event
from tergeu.qualification.models import Article, ArticlePart
from tergeu.qualification.services import (
    articles_matching,
    get_article,
    qualification_text,
    resolve,
    search_articles,
)

pytestmark = pytest.mark.usefixtures("code")


def _fails(article: str, part: str | None = None, paragraph: str | None = None) -> dict[str, str]:
    """The field messages of a refused qualification, in English."""
    events = Event.objects.count()
    with translation.override("en"), pytest.raises(ValidationFailed) as info:
        resolve(article, part, paragraph)
    assert Event.objects.count() == events  # a read: nothing journaled, nothing written
    texts = info.value.field_texts()
    assert all(len(messages) == 1 for messages in texts.values())
    return {field: messages[0] for field, messages in texts.items()}


def test_resolve_article_part_and_paragraph() -> None:
    article, part, paragraph = resolve("188", "2", "1")
    assert article == Article.objects.get(number="188")
    assert part == ArticlePart.objects.get(article_id="188", number="2")
    assert paragraph == "1"


def test_resolve_without_paragraph() -> None:
    article, part, paragraph = resolve("188", "3", None)
    assert (article.number, part.number if part else None, paragraph) == ("188", "3", "")


def test_resolve_article_without_parts_gives_no_part() -> None:
    article, part, paragraph = resolve("115", None, None)
    assert (article.number, part, paragraph) == ("115", None, "")
    assert resolve("115", "", "")[1] is None


def test_resolve_normalises_what_people_type() -> None:
    article, part, paragraph = resolve(" ст. 188 ", " 2 ", "4)")
    assert (article.number, part.number if part else None, paragraph) == ("188", "2", "4")
    assert resolve("188–1", "1", None)[0].number == "188-1"


def test_resolve_paragraph_of_an_article_without_parts() -> None:
    # No article of the Special Part without parts has paragraphs today; give 115 some.
    ArticlePart.objects.filter(article_id="115", number="").update(paragraphs=["1", "2"])
    article, part, paragraph = resolve("115", None, "2")
    assert (article.number, part, paragraph) == ("115", None, "2")
    assert _fails("115", None, "3") == {
        "paragraph": "Article 115 has no paragraph 3; its paragraphs are 1, 2."
    }


def test_unknown_article() -> None:
    assert _fails("9999", "1") == {"article": "Article 9999 of the Criminal Code does not exist."}


def test_empty_article() -> None:
    assert _fails("  ") == {"article": "Enter the article of the Criminal Code."}


@pytest.mark.parametrize("number", ["1", "98-2", "467"])
def test_article_that_defines_no_offence(number: str) -> None:
    assert _fails(number, "1") == {
        "article": f"Article {number} of the Criminal Code does not define a criminal "
        "offence; choose an article of the Special Part."
    }


def test_repealed_article() -> None:
    assert _fails("108") == {"article": "Article 108 of the Criminal Code is repealed."}


def test_missing_part() -> None:
    assert _fails("188", None, "1") == {"part": "Choose the part of article 188: 1, 2, 3, 4."}


def test_unknown_part() -> None:
    assert _fails("188", "9") == {"part": "Article 188 has no part 9; its parts are 1, 2, 3, 4."}


def test_part_of_an_article_without_parts() -> None:
    assert _fails("115", "1") == {"part": "Article 115 is not divided into parts."}


def test_repealed_paragraph() -> None:
    assert _fails("188", "2", "2") == {
        "paragraph": "Part 2 of article 188 has no paragraph 2; its paragraphs are 1, 4."
    }


def test_paragraph_of_a_part_without_paragraphs() -> None:
    assert _fails("188", "1", "1") == {"paragraph": "Part 1 of article 188 has no paragraphs."}


def test_paragraph_of_an_article_without_parts_or_paragraphs() -> None:
    assert _fails("115", None, "1") == {"paragraph": "Article 115 has no paragraphs."}


@pytest.mark.usefixtures("catalogues")
def test_messages_in_kazakh_and_russian() -> None:
    with pytest.raises(ValidationFailed) as info:
        resolve("188", "2", "2")
    message = info.value.fields["paragraph"][0]
    with translation.override("ru"):
        assert str(message) == "В части 2 статьи 188 нет пункта 2; её пункты: 1, 4."
    with translation.override("kk"):
        assert str(message) == "188-баптың 2-бөлігінде 2-тармақ жоқ; оның тармақтары: 1, 4."
    with translation.override("en"):
        assert str(message).startswith("Part 2 of article 188 has no paragraph 2")
    with pytest.raises(ValidationFailed) as info:
        resolve("1")
    with translation.override("ru"):
        assert str(info.value.fields["article"][0]).startswith(
            "Статья 1 Уголовного кодекса не предусматривает"
        )


def test_search_by_number_prefix() -> None:
    found = [a.number for a in search_articles("188")]
    assert found[0] == "188"
    assert "188-1" in found
    assert all(number.startswith("188") for number in found)
    assert [a.number for a in search_articles("ст. 188-")] == ["188-1"]
    assert [a.number for a in search_articles("Статья 99")] == ["99"]


def test_search_by_number_is_special_part_in_force_only() -> None:
    found = search_articles("1", limit=500)
    assert found
    assert all(a.special_part and not a.repealed for a in found)
    assert "108" not in [a.number for a in search_articles("108")]  # repealed
    assert search_articles("50-1") == []  # General Part


def test_search_by_title_word_ignores_case() -> None:
    for query in ["кража", "КРАЖА", "Кража"]:
        assert "188" in [a.number for a in search_articles(query)], query


def test_search_by_several_words_needs_all_of_them() -> None:
    found = search_articles("оборот наркотических")
    assert found
    for article in found:
        assert "оборот" in article.title.lower()
        assert "наркотическ" in article.title.lower()


def test_search_by_title_excludes_general_part_and_repealed() -> None:
    assert search_articles("Уголовное законодательство") == []  # article 1
    assert "130" not in [a.number for a in search_articles("Клевета")]  # repealed
    assert [a.number for a in search_articles("Клевета")] == ["411"]


def test_search_limit_and_empty_query() -> None:
    assert len(search_articles("", limit=5)) == 5
    assert search_articles("", limit=5)[0].number == "99"
    assert (
        articles_matching("").count()
        == Article.objects.filter(special_part=True, repealed=False).count()
    )


def test_get_article_with_parts_in_force() -> None:
    article = get_article("188")
    assert [p.number for p in article.current_parts] == ["1", "2", "3", "4"]  # type: ignore[attr-defined]
    with translation.override("en"), pytest.raises(NotFound) as info:
        get_article("9999")
    assert str(info.value.message) == "Article 9999 of the Criminal Code does not exist."


@pytest.mark.parametrize(
    ("language", "full", "article_only", "partless"),
    [
        ("ru", "ст. 188 ч. 2 п. 1 УК РК", "ст. 188 УК РК", "ст. 115 п. 1 УК РК"),
        ("kk", "188-бап 2-бөлік 1-тармақ", "188-бап", "115-бап 1-тармақ"),
        ("en", "Art. 188(2)(1) CC", "Art. 188 CC", "Art. 115 para. 1 CC"),
    ],
)
def test_qualification_text(language: str, full: str, article_only: str, partless: str) -> None:
    article, part, paragraph = resolve("188", "2", "1")
    with translation.override(language):
        assert qualification_text(article, part, paragraph) == full
        assert qualification_text("188", "2", "1") == full
        assert qualification_text("188", None, None) == article_only
        assert qualification_text("115", "", "1") == partless
