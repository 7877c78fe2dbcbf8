"""The law of legal aid as data (Criminal Procedure Code, document K1400000231).

- art. 66(1), 66(3): a defender defends a witness with the right to defence, a suspect or
  an accused, from the moment the person gets that status;
- art. 67(3): where a defender is obligatory and none is invited, the body conducting the
  proceedings ensures one by a resolution binding on the bar;
- art. 68(2): the resolution goes to the bar through the unified information system of
  legal aid (this module's offers to duty lawyers);
- art. 68(4): after detention or arrest, if the chosen defender cannot appear within
  twenty-four hours, another is appointed through the bar. Tergeu tracks these 24 hours
  as the deadline of an appointment for a detained person; like every detention term it
  runs from the minute of the detention and never moves to a working day (art. 48).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import Role
from tergeu.cases.models import ParticipantStatus
from tergeu.settings.env import env_int, env_str

#: The document type of the resolution (documents/data/catalogue.json).
RESOLUTION_TYPE = "resolution_defender_appointment"
#: Who may be given a defender (CPC art. 66(1), 66(3)).
DEFENDED_STATUSES = frozenset(
    {ParticipantStatus.SUSPECT, ParticipantStatus.ACCUSED, ParticipantStatus.WITNESS_WITH_DEFENCE}
)
#: The rule the appointment rests on, as the case card and errors cite it.
APPOINTMENT_RULE = "CPC art. 67(3), 68(2)"
#: The defender of a detained person is to appear within this time (CPC art. 68(4)).
DETAINED_DEFENCE_HOURS = 24
DEADLINE_RULE = "CPC art. 68(4)"
#: Who keeps the roster of a bar: its head or its administrator (an organisation of kind bar).
ROSTER_ROLES = frozenset({Role.HEAD_OF_UNIT, Role.ADMINISTRATOR})
#: Grounds offered when none is given (the resolution must state its grounds).
DEFAULT_GROUNDS = _(
    "The person has not invited a defender; participation of a defender is ensured by the "
    "body conducting the proceedings."
)


def offer_minutes() -> int:
    """How long a duty lawyer has to answer an offer (TERGEU_LEGALAID_OFFER_MINUTES, 15)."""
    value = getattr(settings, "TERGEU_LEGALAID_OFFER_MINUTES", None)
    minutes = int(value) if value else env_int("TERGEU_LEGALAID_OFFER_MINUTES", 15)
    return max(1, minutes)


def base_url() -> str:
    """The public address links in messages start with (TERGEU_PUBLIC_URL)."""
    value = getattr(settings, "TERGEU_PUBLIC_URL", None)
    if value:
        return str(value).rstrip("/")
    default = "http://{}:{}".format(
        env_str("TERGEU_HOST", "127.0.0.1"), env_str("TERGEU_PORT", "8000")
    )
    return env_str("TERGEU_PUBLIC_URL", default).rstrip("/")


def defence_deadline(detained_at: dt.datetime | None) -> dt.datetime | None:
    """When the defender of a person detained at ``detained_at`` must be there (art. 68(4)).

    Counted from the minute of the detention, in hours, not moved to a working day.
    """
    if detained_at is None:
        return None
    return detained_at + dt.timedelta(hours=DETAINED_DEFENCE_HOURS)


def is_overdue(due_at: dt.datetime | None, filled_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether the deadline passed before the defender was appointed (or is passed now)."""
    if due_at is None:
        return False
    return (filled_at or now) > due_at
