"""Loading the packaged Criminal Code: counts, parts, paragraphs, order, idempotence."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db.models.signals import post_migrate

from tergeu.qualification.loader import (
    DATA_FILE,
    ensure_code,
    load_code,
    parse_paragraphs,
    sort_key,
    split_text,
)
from tergeu.qualification.models import Article, ArticlePart

pytestmark = pytest.mark.usefixtures("code")


def _rows() -> list[dict[str, Any]]:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_the_code_is_packaged_with_the_product() -> None:
    assert DATA_FILE.is_file()
    assert DATA_FILE.parent == Path(__file__).resolve().parents[2] / (
        "src/tergeu/qualification/data"
    )
    assert (DATA_FILE.parent / "README.md").read_text().count("K1400000226") >= 1


def test_every_article_of_the_file_is_loaded() -> None:
    rows = _rows()
    numbers = {row["meta"]["article"] for row in rows}
    assert Article.objects.count() == len(numbers)
    assert set(Article.objects.values_list("number", flat=True)) == numbers
    repealed = {row["meta"]["article"] for row in rows if row["meta"]["status"] == "repealed"}
    assert set(Article.objects.filter(repealed=True).values_list("number", flat=True)) == repealed


def test_every_numbered_part_of_the_file_is_loaded() -> None:
    wanted = {
        (row["meta"]["article"], row["meta"]["unit_number"])
        for row in _rows()
        if row["meta"]["unit_type"] == "часть" and not row["meta"].get("hier_dup_seq")
    }
    loaded = set(ArticlePart.objects.exclude(number="").values_list("article_id", "number"))
    assert wanted <= loaded
    # Article 379 publishes its part 1 without the number, before part 2.
    assert loaded - wanted == {("379", "1")}


def test_theft_part_two_has_paragraphs_one_and_four() -> None:
    part = ArticlePart.objects.get(article_id="188", number="2")
    assert part.paragraphs == ["1", "4"]
    assert part.text.startswith("2. Кража, совершенная:\n1) группой лиц")
    assert "[УК" not in part.text
    assert list(ArticlePart.objects.filter(article_id="188").values_list("number", flat=True)) == [
        "1",
        "2",
        "3",
        "4",
    ]


def test_no_part_keeps_a_header_or_an_intro_marker() -> None:
    assert not ArticlePart.objects.filter(text__contains="[УК |").exists()
    assert not ArticlePart.objects.filter(text__contains="[intro]").exists()
    assert not ArticlePart.objects.filter(text="").exists()


def test_article_without_parts_is_one_unnumbered_part() -> None:
    parts = list(ArticlePart.objects.filter(article_id="115"))
    assert [p.number for p in parts] == [""]
    assert parts[0].text.startswith("Угроза убийством")


def test_items_of_article_three_are_merged_into_one_part() -> None:
    (part,) = ArticlePart.objects.filter(article_id="3")
    assert part.number == ""
    assert part.paragraphs[:4] == ["1", "1-1", "2", "3"]
    assert len(part.paragraphs) == 48
    assert part.text.count("Содержащиеся в настоящем Кодексе понятия") == 1


def test_notes_are_appended_to_the_last_part() -> None:
    last = ArticlePart.objects.get(article_id="146", number="4")
    assert "Примечания.\n1. Не признаются" in last.text
    assert last.paragraphs == []


def test_editorial_footnotes_are_dropped() -> None:
    part = ArticlePart.objects.get(article_id="301", number="1")
    assert part.text.startswith("1. Незаконные изготовление")
    assert "ИЗПИ" not in part.text


def test_special_part_and_articles_that_define_no_offence() -> None:
    flags = dict(Article.objects.values_list("number", "special_part"))
    assert flags["1"] is False
    assert flags["98-2"] is False
    assert flags["99"] is True
    assert flags["188"] is True
    assert flags["467"] is False  # entry into force, filed at the end of the Special Part
    for article in Article.objects.filter(special_part=True, repealed=False):
        texts = article.parts.values_list("text", flat=True)
        assert any("наказыва" in text for text in texts), article.number


def test_repealed_article_has_no_parts() -> None:
    article = Article.objects.get(number="108")
    assert article.repealed
    assert article.special_part
    assert not article.parts.exists()


def test_chapter_comes_from_the_hierarchy() -> None:
    assert Article.objects.get(number="188").chapter == "6"
    assert Article.objects.get(number="1").chapter == ""


def test_sort_key_orders_inserted_articles_between_their_neighbours() -> None:
    assert sort_key("24") < sort_key("24-1") < sort_key("24-2") < sort_key("25")
    numbers = list(
        Article.objects.filter(number__in=["189", "188-1", "188", "50-1"]).values_list(
            "number", flat=True
        )
    )
    assert numbers == ["50-1", "188", "188-1", "189"]
    in_file: list[str] = []
    for row in _rows():
        if row["meta"]["article"] not in in_file:
            in_file.append(row["meta"]["article"])
    assert list(Article.objects.values_list("number", flat=True)) == in_file


def test_sort_key_rejects_what_is_not_a_number() -> None:
    with pytest.raises(ValueError, match="not an article number"):
        sort_key("24а")


def test_paragraphs_stop_at_the_notes() -> None:
    text = "4. Деяния, совершенные:\n1) группой;\n2) неоднократно, –\nнаказываются.\n"
    text += "Примечания. В настоящей статье:\n1) под пропагандой;\n3) под рекламой."
    assert parse_paragraphs(text) == ["1", "2"]


def test_split_text_separates_intro_and_strips_header() -> None:
    intro, body = split_text("[intro]\nВступление:\n\n[УК | Статья 89. Сроки]\n1) первый;")
    assert (intro, body) == ("Вступление:", "1) первый;")
    assert split_text("[УК | Статья 47. Смертная казнь | СТАТЬЯ ИСКЛЮЧЕНА]") == ("", "")


def test_loading_again_changes_nothing_and_keeps_ids() -> None:
    before = list(ArticlePart.objects.order_by("id").values_list("id", "article_id", "number"))
    ArticlePart.objects.filter(article_id="188", number="2").update(text="tampered")
    started = time.monotonic()
    result = load_code()
    assert time.monotonic() - started < 5
    assert result.articles == Article.objects.count()
    assert result.parts == ArticlePart.objects.count()
    assert result.marked_repealed == 0
    after = list(ArticlePart.objects.order_by("id").values_list("id", "article_id", "number"))
    assert after == before
    assert ArticlePart.objects.get(article_id="188", number="2").text.startswith("2. Кража")


def test_what_disappears_from_the_file_is_marked_repealed_not_deleted(tmp_path: Path) -> None:
    rows = [row for row in _rows() if row["meta"]["article"] != "188-1"]
    rows = [row for row in rows if row["id"] != "ugolovniy_ст188_ч4"]
    smaller = tmp_path / "code.jsonl"
    smaller.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
    result = load_code(smaller)
    assert Article.objects.get(number="188-1").repealed
    assert ArticlePart.objects.get(article_id="188", number="4").repealed
    assert result.marked_repealed == 1 + ArticlePart.objects.filter(article_id="188-1").count() + 1
    load_code()
    assert not Article.objects.get(number="188-1").repealed
    assert not ArticlePart.objects.filter(repealed=True).exists()


def test_an_emptied_database_gets_the_code_back() -> None:
    """What ``flush`` (transactional tests) leaves behind is refilled on ``post_migrate``."""
    assert ensure_code() is None  # already there: nothing to do
    ArticlePart.objects.all().delete()
    Article.objects.all().delete()
    result = ensure_code()
    assert result is not None
    assert Article.objects.count() == result.articles
    assert ArticlePart.objects.get(article_id="188", number="2").paragraphs == ["1", "4"]


def test_restoring_is_connected_to_post_migrate() -> None:
    config = django_apps.get_app_config("qualification")
    assert post_migrate.has_listeners(sender=config)
