"""resolve() remembers the parts it accepted, but only as a hint: a changed Code is seen."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tergeu.core.errors import ValidationFailed
from tergeu.qualification.models import Article, ArticlePart
from tergeu.qualification.services import clear_resolve_cache, resolve

pytestmark = pytest.mark.usefixtures("code")


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    clear_resolve_cache()
    yield
    clear_resolve_cache()


def _queries(*args: Any) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as ctx:
        result = resolve(*args)
    return result, len(ctx.captured_queries)


def test_a_second_resolve_is_one_query_and_the_same_answer() -> None:
    first, cold = _queries("188", "2", "1")
    second, warm = _queries("ст. 188", "2", "1")
    assert (cold, warm) == (2, 1)
    assert second == first
    assert second[1] is not None
    assert second[1].article == second[0]


def test_a_repealed_part_or_article_is_refused_despite_the_hint() -> None:
    _art, part, _para = resolve("188", "2")
    ArticlePart.objects.filter(pk=part.pk).update(repealed=True)
    with pytest.raises(ValidationFailed):
        resolve("188", "2")
    ArticlePart.objects.filter(pk=part.pk).update(repealed=False)
    resolve("188", "2")
    Article.objects.filter(number="188").update(repealed=True)
    with pytest.raises(ValidationFailed):
        resolve("188", "2")


def test_a_reloaded_part_is_found_again() -> None:
    _art, part, _para = resolve("188", "2", "1")
    clone = ArticlePart.objects.get(pk=part.pk)
    ArticlePart.objects.filter(pk=part.pk).delete()
    clone.pk = None
    clone.save()
    _art, again, para = resolve("188", "2", "1")
    assert again is not None
    assert (again.pk, para) == (clone.pk, "1")
    with pytest.raises(ValidationFailed):
        resolve("188", "2", "99")
