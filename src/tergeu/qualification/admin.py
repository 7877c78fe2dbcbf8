"""Read-only admin of the Criminal Code: it changes only by loading a new text of the law."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticlePart


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lets staff browse reference data, never add, change or delete it."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArticlePartInline(admin.StackedInline):
    """The parts of an article, read-only."""

    model = ArticlePart
    extra = 0
    fields = ["number", "text", "paragraphs", "repealed"]
    readonly_fields = ["number", "text", "paragraphs", "repealed"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArticleAdmin(ReadOnlyAdmin):
    """Articles with their parts inline."""

    list_display = ["number", "title", "chapter", "special_part", "repealed"]
    list_filter = ["special_part", "repealed", "chapter"]
    search_fields = ["number", "title"]
    ordering = ["sort_key"]
    inlines = [ArticlePartInline]


class ArticlePartAdmin(ReadOnlyAdmin):
    """Parts of articles, searchable by text."""

    list_display = ["article", "number", "paragraph_list", "repealed"]
    list_filter = ["repealed"]
    search_fields = ["article__number", "text"]
    list_select_related = ["article"]

    @admin.display(description=_("paragraphs"))
    def paragraph_list(self, obj: ArticlePart) -> str:
        """The paragraph numbers, comma-separated."""
        return ", ".join(obj.paragraphs)


# Imported by admin autodiscovery when django.contrib.admin is installed; the guard keeps
# the module importable (and its classes testable) when it is not.
if apps.is_installed("django.contrib.admin"):
    admin.site.register(Article, ArticleAdmin)
    admin.site.register(ArticlePart, ArticlePartAdmin)
