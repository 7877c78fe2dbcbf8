"""The law behind summons and notices, as data (CPC K1400000231, articles as cited).

- What a summons says (art. 208(1)): who is summoned, to whom, where and when, the right
  to come with a lawyer, the consequences of not appearing without a valid reason.
- The consequences by capacity: :data:`CONSEQUENCES` (art. 157(1), 160, 71(9), 78(8),
  65-1(5), 80(6)); valid reasons and the duty to tell of them: art. 157(2).
- Who is told of a termination (art. 289(2)): :data:`TERMINATION_STATUSES`, and the
  applicant of the report the case was registered from.
- Who is told that the file may be studied (art. 294(1), 295, 296):
  :data:`FAMILIARISATION_STATUSES`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import ParticipantStatus as P

SUMMONS_RULE = "CPC art. 208(1)"
VALID_REASONS_RULE = "CPC art. 157(2)"
VICTIM_RULE = "CPC art. 71"
TERMINATION_RULE = "CPC art. 289(2)"
FAMILIARISATION_RULE = "CPC art. 294(1), 295, 296"

#: How long the personal link works after the time to appear.
LINK_DAYS_AFTER = dt.timedelta(days=30)


@dataclass(frozen=True)
class Consequence:
    """What may follow a failure to appear in one capacity, and the articles it rests on."""

    text: Promise
    rule: str


CONSEQUENCES: dict[str, Consequence] = {
    "suspect": Consequence(
        _("You may be brought by force on a reasoned resolution of the investigator."),
        "CPC art. 157(1)",
    ),
    "victim": Consequence(
        _(
            "You may be brought by force, and a monetary penalty of up to 50 monthly "
            "calculation indices may be imposed on you."
        ),
        "CPC art. 71(9), 157(1), 160",
    ),
    "witness": Consequence(
        _(
            "You may be brought by force, and a monetary penalty of up to 50 monthly "
            "calculation indices may be imposed on you."
        ),
        "CPC art. 78(8), 157(1), 160",
    ),
    "witness_defence": Consequence(
        _("A monetary penalty of up to 50 monthly calculation indices may be imposed on you."),
        "CPC art. 65-1(5), 160",
    ),
    "specialist": Consequence(
        _("A monetary penalty of up to 50 monthly calculation indices may be imposed on you."),
        "CPC art. 80(6), 160",
    ),
}

#: Participants told of the termination of the investigation (art. 289(2)).
TERMINATION_STATUSES = frozenset(
    {
        P.SUSPECT,
        P.ACCUSED,
        P.WITNESS_WITH_DEFENCE,
        P.DEFENDER,
        P.VICTIM,
        P.REPRESENTATIVE,
        P.CIVIL_PLAINTIFF,
        P.CIVIL_DEFENDANT,
    }
)

#: Participants who may be told the file is ready to study (art. 294(1), 295, 296).
FAMILIARISATION_STATUSES = TERMINATION_STATUSES

#: The document type whose finalisation recognises a victim (art. 71(1)).
VICTIM_DOCUMENT = "resolution_victim"
