"""Jurisdiction as data (CPC art. 187, 189, 191) and gravity (Criminal Code art. 10, 11)."""

from __future__ import annotations

import json

import pytest

from tergeu.allocation import jurisdiction as law
from tergeu.allocation.gravity import Gravity, classify, gravity_of, max_imprisonment
from tergeu.allocation.proposals import form_of
from tergeu.allocation.rules import case_weight


def primary(article: str, part: str = "", paragraph: str = "") -> tuple[tuple[str, ...], str]:
    plain = [m for m in law.matches(article, part, paragraph) if not m.condition]
    full = [m for m in plain if m.how == "full"] or plain
    return (full[0].rule.bodies, full[0].rule.form) if full else ((), "")


@pytest.mark.parametrize(
    ("article", "part", "paragraph", "bodies", "form"),
    [
        ("188", "1", "", ("internal_affairs",), "inquiry"),  # 191(2)
        ("188", "2", "", ("internal_affairs",), "preliminary"),  # 187(2)
        ("99", "2", "", ("internal_affairs",), "preliminary"),  # 187(2)
        ("366", "1", "", ("anticorruption",), "preliminary"),  # 187(3)
        ("190", "3", "2", ("anticorruption",), "preliminary"),  # 187(3) by paragraph
        ("190", "3", "1", ("internal_affairs",), "preliminary"),  # 187(4-1)
        ("214", "2", "", ("economic",), "preliminary"),  # 187(3-1)
        ("214", "1", "", ("economic",), "inquiry"),  # 191(3)
        ("160", "", "", ("national_security",), "preliminary"),  # 187(1)
        ("149", "2", "", ("internal_affairs", "anticorruption"), "preliminary"),  # 187(4)
        ("111", "", "", ("internal_affairs",), "protocol"),  # 191(16)
        ("222", "", "", ("economic",), "protocol"),  # 191(17)
        ("445", "1", "", ("nsc_military_police",), "inquiry"),  # 191(5)
    ],
)
def test_who_investigates(
    article: str, part: str, paragraph: str, bodies: tuple[str, ...], form: str
) -> None:
    assert primary(article, part, paragraph) == (bodies, form)


def test_conditional_rules_are_alternatives() -> None:
    found = law.matches("188", "1")
    assert [(m.rule.bodies, m.condition) for m in found] == [
        (("internal_affairs",), ""),
        (("state_guard",), "protected_persons"),
    ]


def test_form_by_art_191() -> None:
    assert form_of("188", "1") == "inquiry"
    assert form_of("188", "3") == "preliminary"
    assert form_of("107", "1") == "inquiry"
    assert form_of("107", "2") == "preliminary"
    assert form_of("111") == "protocol"
    assert form_of("187", "1") == "protocol"  # 191(16)


def test_every_protocol_form_article_is_a_misdemeanour_or_minor() -> None:
    """Art. 191(16-24) lists criminal misdemeanours: the sanction parser agrees."""
    for rule in law.RULES:
        if rule.form != "protocol":
            continue
        for entry in rule.entries:
            parts = entry.parts or ("",)
            for part in parts:
                g = gravity_of(entry.article, part)
                if g == Gravity.UNKNOWN and part == "":
                    continue  # an article with parts listed whole
                assert g in (Gravity.MISDEMEANOUR, Gravity.MINOR, Gravity.UNKNOWN), (
                    entry.article,
                    part,
                    g,
                )


def test_bad_data_names_the_entry() -> None:
    code = {"188": {"1", "2"}}
    good = {"source": "CPC art. 191 part 2", "form": "inquiry", "bodies": ["internal_affairs"]}
    with pytest.raises(law.JurisdictionDataError, match=r"rule 1 .*article '9999'"):
        law.parse({"rules": [{**good, "articles": [{"article": "9999"}]}]}, code)
    with pytest.raises(law.JurisdictionDataError, match="article 188 has no part '7'"):
        law.parse({"rules": [{**good, "articles": [{"article": "188", "parts": ["7"]}]}]}, code)
    with pytest.raises(law.JurisdictionDataError, match="unknown or missing bodies"):
        law.parse({"rules": [{**good, "bodies": ["ufo"], "articles": [{"article": "188"}]}]}, code)
    with pytest.raises(law.JurisdictionDataError, match="must cite"):
        law.parse({"rules": [{**good, "source": "x", "articles": [{"article": "188"}]}]}, code)
    with pytest.raises(law.JurisdictionDataError, match="list it, not omit it"):
        law.parse(
            {
                "rules": [
                    {**good, "articles": [{"article": "188"}], "omitted": [{"article": "188"}]}
                ]
            },
            code,
        )


def test_data_file_cites_the_cpc() -> None:
    data = json.loads(law.DATA_FILE.read_text(encoding="utf-8"))
    assert all(r["source"].startswith(("CPC art. 187", "CPC art. 191")) for r in data["rules"])
    assert len(law.RULES) == len(data["rules"])


@pytest.mark.parametrize(
    ("article", "part", "gravity"),
    [
        ("188", "1", Gravity.MEDIUM),  # up to 3 years
        ("188", "4", Gravity.GRAVE),  # 5 to 10 years
        ("99", "1", Gravity.ESPECIALLY_GRAVE),  # 8 to 15 years
        ("99", "2", Gravity.ESPECIALLY_GRAVE),  # life
        ("190", "1", Gravity.MINOR),  # up to 2 years
        ("190", "4", Gravity.GRAVE),
        ("187", "1", Gravity.MISDEMEANOUR),  # fine, works, arrest
        ("313-1", "2", Gravity.MINOR),  # "на один год ... на тот же срок"
        ("140", "3", Gravity.MEDIUM),  # "сроком до трех лет ... на тот же срок"
    ],
)
def test_gravity_of_known_parts(article: str, part: str, gravity: Gravity) -> None:
    assert gravity_of(article, part) == gravity


def test_sanction_parsing() -> None:
    assert max_imprisonment("наказывается лишением свободы на срок от пяти до десяти лет") == 10
    assert max_imprisonment("наказывается пожизненным лишением свободы") == float("inf")
    assert max_imprisonment("лишением свободы на срок до шести месяцев") == 0.5
    assert max_imprisonment("наказывается штрафом") is None
    assert classify("наказывается лишением свободы на срок до четырех лет") == Gravity.MEDIUM
    assert classify("наказывается лишением свободы на срок до четырех лет", negligent=True) == (
        Gravity.MINOR
    )
    assert classify("наказывается арестом на срок до пятидесяти суток") == Gravity.MISDEMEANOUR
    assert classify("без санкции") == Gravity.UNKNOWN
    assert gravity_of("1", "1") == Gravity.UNKNOWN  # General Part


def test_load_weights() -> None:
    assert case_weight("investigation", "especially_grave") == 3.0
    assert case_weight("interrupted", "minor") == 0.25
    assert case_weight("terminated", "grave") == 0.0
    assert case_weight("in_court", "grave") == 0.0
