from tests.deadlines.conftest import clocks, kz


def test_registration_starts_preliminary_term(case):
    rows = {c.rule: c for c in clocks(case)}
    assert set(rows) == {"investigation.preliminary", "investigation.preliminary.request"}
    term = rows["investigation.preliminary"]
    # 10 Feb + 2 months = 10 April 2026 (Friday), ends 24:00 local
    assert term.due_at == kz(2026, 4, 11)
    assert rows["investigation.preliminary.request"].due_at == kz(2026, 4, 6)
