"""The Code in the admin is read-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import AdminSite
from django.test import RequestFactory

from tergeu.qualification.admin import ArticleAdmin, ArticlePartAdmin, ArticlePartInline
from tergeu.qualification.models import Article, ArticlePart


@pytest.mark.parametrize(
    ("model", "admin_class"), [(Article, ArticleAdmin), (ArticlePart, ArticlePartAdmin)]
)
def test_admin_cannot_add_change_or_delete(model: type, admin_class: type) -> None:
    request = RequestFactory().get("/")
    model_admin = admin_class(model, AdminSite())
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_inline_parts_are_read_only() -> None:
    request = RequestFactory().get("/")
    inline = ArticlePartInline(Article, AdminSite())
    assert not inline.has_add_permission(request)
    assert not inline.has_change_permission(request)
    assert set(inline.readonly_fields) == set(inline.fields or [])


@pytest.mark.django_db
def test_paragraph_list() -> None:
    part = ArticlePart.objects.get(article_id="188", number="2")
    assert ArticlePartAdmin(ArticlePart, AdminSite()).paragraph_list(part) == "1, 4"
