"""The article rules name articles, parts and paragraphs that exist in the Code and are in force."""

from __future__ import annotations

from tergeu.qualification.code_text import code_text
from tergeu.qualification.elements import ELEMENTS
from tergeu.qualification.rules import RULES, Context


def test_every_rule_names_an_article_in_force_and_parts_it_has() -> None:
    code = code_text()
    concepts = [
        "group",
        "repeat",
        "dwelling",
        "weapon",
        "violence",
        "minor",
        "death",
        "online",
        "injury_grave",
        "hooliganism",
        "torture",
        "arson",
        "extortion",
        "threat_kill",
        "firearm",
        "computer",
        "vehicle",
    ]
    for rule in RULES:
        assert rule.article in code.offences, rule.article
        for element in rule.elements:
            assert element in ELEMENTS, (rule.article, element)
        # every part the chooser can return, for each qualifying feature alone
        for concept in [None, *concepts]:
            ctx = Context(frozenset({concept} if concept else set()))
            part, paragraph = rule.choose(ctx)
            found = code.part(rule.article, part)
            assert found is not None, (rule.article, concept, part)
            if paragraph:
                assert paragraph in found.paragraphs, (rule.article, concept, part, paragraph)
