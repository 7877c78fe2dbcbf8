"""Articles and parts of the Criminal Code of the Republic of Kazakhstan (K1400000226)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    """An article of the Criminal Code, e.g. 188 'Кража' or 24-1."""

    number = models.CharField(_("article"), max_length=10, primary_key=True)
    title = models.CharField(_("title"), max_length=500)
    chapter = models.CharField(max_length=10, blank=True)
    sort_key = models.IntegerField(db_index=True)
    repealed = models.BooleanField(default=False)
    #: True for articles of the Special Part (chapters with crimes); only those qualify a case.
    special_part = models.BooleanField(default=False)

    class Meta:
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class ArticlePart(models.Model):
    """A part of an article with its text and the numbers of its paragraphs (пункты)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="parts")
    number = models.CharField(_("part"), max_length=10)
    text = models.TextField()
    paragraphs = models.JSONField(default=list)
    repealed = models.BooleanField(default=False)

    class Meta:
        ordering = ["article__sort_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_part_unique")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} ч.{self.number}"
