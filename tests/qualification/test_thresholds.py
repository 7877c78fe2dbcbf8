"""Amount thresholds in MCI and the MCI per year, as data."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tergeu.qualification import thresholds
from tergeu.qualification.assistant import assess
from tergeu.qualification.thresholds import UnknownMCIYear, decide, mci_for
from tergeu.qualification.triage import Kind

Y2024, Y2025, Y2026 = (
    datetime.date(2024, 5, 1),
    datetime.date(2025, 5, 1),
    datetime.date(2026, 5, 1),
)


def test_mci_per_year_with_sources() -> None:
    assert [mci_for(y).tenge for y in (2024, 2025, 2026)] == [3692, 3932, 4325]
    assert all("бюджете" in mci_for(y).source for y in (2024, 2025, 2026))


def test_unknown_year_is_an_error_not_a_guess() -> None:
    with pytest.raises(UnknownMCIYear, match="TERGEU_MCI_FILE"):
        mci_for(2031)
    result = assess("Украли кошелек, там было 5000 тенге", "ru", on=datetime.date(2031, 1, 1))
    assert result.threshold is not None
    assert result.threshold["outcome"] == "unknown_mci"
    assert result.kind == Kind.CRIME  # no decision by amount
    assert any("2031" in reason for reason in result.kind_reasons)


def test_override_file_adds_and_corrects_years(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "mci.toml"
    extra.write_text(
        '[years.2027]\ntenge = 4500\nsource = "budget 2027"\n'
        '[years.2026]\ntenge = 4300\nsource = "corrected"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TERGEU_MCI_FILE", str(extra))
    assert mci_for(2027).tenge == 4500
    assert mci_for(2026).tenge == 4300
    assert mci_for(2025).tenge == 3932
    monkeypatch.delenv("TERGEU_MCI_FILE")
    assert mci_for(2026).tenge == 4325


def test_petty_theft_below_and_above_two_mci_in_a_year() -> None:
    # 2 MCI: 7,864 tenge in 2025, 8,650 tenge in 2026
    at_limit = decide("188", Decimal(7864), Y2025)
    assert at_limit is not None
    assert at_limit.outcome == "petty"
    above = decide("188", Decimal(7865), Y2025)
    assert above is not None
    assert above.outcome == "below_all"
    same_amount_2026 = decide("188", Decimal(8000), Y2026)
    assert same_amount_2026 is not None
    assert same_amount_2026.outcome == "petty"
    assert decide("188", Decimal(8000), Y2025).outcome == "below_all"  # type: ignore[union-attr]


def test_petty_theft_report_is_administrative_with_article_187() -> None:
    result = assess("В магазине украли шоколадку за 900 тенге", "ru", on=Y2025)
    assert result.kind == Kind.ADMINISTRATIVE
    assert [c.article for c in result.candidates] == ["187"]
    assert result.threshold is not None
    assert result.threshold["threshold_mci"] == 2
    assert result.threshold["mci_tenge"] == 3932
    assert "ст. 3 п. 10" in result.threshold["source"]
    assert "K1400000235" in result.threshold["administrative_source"]
    bigger = assess("В магазине украли телефон за 90 000 тенге", "ru", on=Y2025)
    assert bigger.kind == Kind.CRIME
    assert bigger.candidates[0].article == "188"


def test_facts_amount_wins_over_the_text() -> None:
    result = assess("Украли кошелек", "ru", facts={"amount": "5000"}, on=Y2025)
    assert result.kind == Kind.ADMINISTRATIVE
    result = assess("Украли кошелек", "ru", facts={"amount": "500000"}, on=Y2025)
    assert result.kind == Kind.CRIME


def test_burglary_is_never_petty() -> None:
    result = assess("Залезли в квартиру и украли 3000 тенге", "ru", on=Y2025)
    assert result.kind == Kind.CRIME
    assert (result.candidates[0].article, result.candidates[0].part) == ("188", "3")


@pytest.mark.parametrize(
    ("text", "year", "article", "part", "paragraph"),
    [
        # theft: large over 500 MCI (1,966,000 in 2025), especially large over 2,000 MCI
        ("Из сумки украли 1 900 000 тенге", Y2025, "188", "1", ""),
        ("Из сумки украли 2 000 000 тенге", Y2025, "188", "3", "1"),
        ("Из сумки украли 9 000 000 тенге", Y2025, "188", "4", "3"),
        # the same 2 million is not large in 2026 (500 MCI = 2,162,500)
        ("Из сумки украли 2 000 000 тенге", Y2026, "188", "1", ""),
        # fraud: large over 1,000 MCI
        ("Мошенник обманул меня на 5 млн тенге", Y2025, "190", "3", "1"),
        ("Мошенник обманул меня на 20 млн тенге", Y2025, "190", "4", "2"),
    ],
)
def test_amount_chooses_the_part(
    text: str, year: datetime.date, article: str, part: str, paragraph: str
) -> None:
    top = assess(text, "ru", on=year).candidates[0]
    assert (top.article, top.part, top.paragraph) == (article, part, paragraph)


def test_damage_not_significant_is_not_a_crime() -> None:
    small = assess("Сосед разбил мне окно, ущерб 30 000 тенге", "ru", on=Y2025)
    assert small.kind == Kind.ADMINISTRATIVE
    assert small.threshold is not None
    assert small.threshold["outcome"] == "none"
    big = assess("Сосед разбил мне окна и двери, ущерб 600 000 тенге", "ru", on=Y2025)
    assert big.kind == Kind.CRIME
    assert big.candidates[0].article == "202"


def test_every_threshold_cites_article_3_and_names_existing_parts() -> None:
    from tergeu.qualification.code_text import code_text

    code = code_text()
    for th in thresholds.thresholds():
        assert "ст. 3" in th.source, th.id
        for article, ref in th.parts.items():
            part, _, paragraph = ref.partition(".")
            found = code.part(article, part)
            assert found is not None, (th.id, article, part)
            if paragraph:
                assert paragraph in found.paragraphs, (th.id, article, ref)
