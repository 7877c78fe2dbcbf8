"""The chain of custody as data: which move is allowed from which status, and why.

Each move names the article of the Criminal Procedure Code it comes from (checked against
the Code's text, document K1400000231):

- art. 118(2): evidence is attached to the case by a resolution and stays with it until
  the sentence or the termination takes effect, except as art. 221(4) provides;
- art. 221(2), (3), (5): after inspection the item is recognised as evidence and the
  resolution decides where it is kept; what cannot be kept with the case is kept where
  the investigator says; when the case moves, the evidence goes with it, sealed;
- art. 272(1), 276(1), 276(6): the resolution ordering a forensic examination names the
  objects sent; they go to the head of the forensic body, who answers for their safety;
- art. 118(3), 120(4): the decision ending the case settles the fate of the evidence
  (returned to the lawful owner, handed over, destroyed); documents may be returned to
  their owner earlier;
- art. 221(4): perishable or costly items, and drugs after examination, may be disposed
  of before the end of the case.

Articles 119 (protocols) and 121 (proving) concern other kinds of proof and are not cited.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import CustodyKind, ItemStatus

#: The receipt of an item (its registration): the first custody event.
RECEIPT_RULE = "CPC art. 118(2), 221(2)"

_ACTIVE = frozenset({ItemStatus.IN_CUSTODY, ItemStatus.TRANSFERRED})


@dataclass(frozen=True)
class Move:
    """A move of an item along its chain of custody."""

    name: str  # the service / API / URL name
    kind: CustodyKind  # the custody event it makes (journal action evidence.<kind>)
    label: str | Promise
    sources: frozenset[str]  # statuses it may start from
    target: ItemStatus
    rule: str
    holder: str  # "required", "optional" (a default is found) or "none"
    needs_note: bool = False
    forensic_only: bool = False  # an organisation given must be a forensic centre


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move(
            "transfer",
            CustodyKind.TRANSFERRED,
            _("Transfer to another holder"),
            _ACTIVE,
            ItemStatus.TRANSFERRED,
            "CPC art. 221(3), 221(5)",
            holder="required",
        ),
        Move(
            "send_for_examination",
            CustodyKind.EXAMINATION_SENT,
            _("Send for forensic examination"),
            _ACTIVE,
            ItemStatus.UNDER_EXAMINATION,
            "CPC art. 272(1), 276(1)",
            holder="required",
            forensic_only=True,
        ),
        Move(
            "return_from_examination",
            CustodyKind.EXAMINATION_RETURNED,
            _("Receive back from examination"),
            frozenset({ItemStatus.UNDER_EXAMINATION}),
            ItemStatus.IN_CUSTODY,
            "CPC art. 276(6), 221(2)",
            holder="optional",
        ),
        Move(
            "return_to_owner",
            CustodyKind.RETURNED_TO_OWNER,
            _("Return to the owner"),
            _ACTIVE,
            ItemStatus.RETURNED,
            "CPC art. 118(3), 120(4)",
            holder="required",
            needs_note=True,
        ),
        Move(
            "destroy",
            CustodyKind.DESTROYED,
            _("Destroy"),
            _ACTIVE,
            ItemStatus.DESTROYED,
            "CPC art. 118(3), 221(4)",
            holder="none",
            needs_note=True,
        ),
    )
}


def allowed_moves(status: str) -> list[Move]:
    """The moves open to an item in ``status``, in the order of :data:`MOVES`."""
    return [m for m in MOVES.values() if status in m.sources]
