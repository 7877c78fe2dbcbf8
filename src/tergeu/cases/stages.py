"""The case's stage machine, as data: each move names its source stages, target, who may
make it, what it needs, and the article of the Criminal Procedure Code it comes from.

Services consult :data:`TRANSITIONS`; nothing else decides whether a move is legal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .access import Perm
from .models import Stage

S = Stage


@dataclass(frozen=True)
class Ground:
    """A legal ground for a move, e.g. an interruption ground of CPC art. 45(7)."""

    code: str
    label: Promise


@dataclass(frozen=True)
class Transition:
    """A legal move of a case from one of ``sources`` to ``target``."""

    name: str
    label: Promise
    sources: frozenset[str]
    target: str
    perm: Perm
    rule: str
    grounds: tuple[Ground, ...] = ()
    needs_reason: bool = False
    needs_form: bool = False
    needs_target_case: bool = False

    @property
    def needs_ground(self) -> bool:
        return bool(self.grounds)


#: CPC art. 45(7): grounds on which the terms of pre-trial investigation are interrupted.
INTERRUPTION_GROUNDS = (
    Ground("45.7.1", _("The person who committed the offence has not been identified")),
    Ground("45.7.2", _("The suspect or accused is outside the Republic of Kazakhstan")),
    Ground("45.7.3", _("The suspect or accused has absconded or their whereabouts are unknown")),
    Ground("45.7.4", _("Temporary mental disorder or other grave illness of the suspect")),
    Ground("45.7.5", _("Procedural actions to obtain legal assistance (chapter 59)")),
    Ground("45.7.6", _("A missing person has not been found")),
    Ground("45.7.7", _("Immunity or extradition of the suspect is being decided")),
    Ground("45.7.8", _("Force majeure temporarily prevents the proceedings")),
    Ground("45.7.9", _("A forensic examination has been ordered")),
)

#: CPC art. 35(1) and art. 36: grounds for terminating the case or the prosecution.
TERMINATION_GROUNDS = (
    Ground("35.1.1", _("No event of a criminal offence")),
    Ground("35.1.2", _("No elements of a criminal offence in the act")),
    Ground("35.1.3", _("Act of amnesty")),
    Ground("35.1.4", _("Limitation period has expired")),
    Ground("35.1.5", _("No complaint of the victim (private prosecution)")),
    Ground("35.1.6", _("A law abolishing criminal liability has come into force")),
    Ground("35.1.7", _("A final verdict on the same charge exists")),
    Ground("35.1.8", _("A decision to terminate the prosecution on the same suspicion exists")),
    Ground("35.1.9", _("Committed in a state of insanity")),
    Ground("35.1.10", _("Consent to prosecute a person with immunity was refused")),
    Ground("35.1.11", _("The person has died")),
    Ground("35.1.12", _("The person is released from criminal liability by the Criminal Code")),
    Ground("36.1", _("Release from criminal liability (CPC art. 36)")),
)

PRE_TRIAL = frozenset({S.INVESTIGATION, S.INTERRUPTED})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "accept",
            _("Accept for proceedings"),
            frozenset({S.REGISTERED}),
            S.INVESTIGATION,
            Perm.WORK,
            "CPC art. 179, 189-191",
            needs_form=True,
        ),
        Transition(
            "interrupt",
            _("Interrupt the terms of investigation"),
            frozenset({S.INVESTIGATION}),
            S.INTERRUPTED,
            Perm.WORK,
            "CPC art. 45(7)",
            grounds=INTERRUPTION_GROUNDS,
        ),
        Transition(
            "resume",
            _("Resume the investigation"),
            frozenset({S.INTERRUPTED}),
            S.INVESTIGATION,
            Perm.WORK,
            "CPC art. 45(9)",
            needs_reason=True,
        ),
        Transition(
            "join",
            _("Join to another case"),
            PRE_TRIAL,
            S.JOINED,
            Perm.WORK,
            "CPC art. 43",
            needs_reason=True,
            needs_target_case=True,
        ),
        Transition(
            "split",
            _("Split off a new case"),
            frozenset({S.INVESTIGATION}),
            S.INVESTIGATION,
            Perm.WORK,
            "CPC art. 44",
            needs_reason=True,
        ),
        Transition(
            "terminate",
            _("Terminate the investigation"),
            PRE_TRIAL | {S.REGISTERED},
            S.TERMINATED,
            Perm.WORK,
            "CPC art. 35, 36, 288",
            grounds=TERMINATION_GROUNDS,
        ),
        Transition(
            "reopen",
            _("Resume the terminated investigation"),
            frozenset({S.TERMINATED}),
            S.INVESTIGATION,
            Perm.SUPERVISE,
            "CPC art. 291",
            needs_reason=True,
        ),
        Transition(
            "send_to_prosecutor",
            _("Send to the prosecutor with the final report"),
            frozenset({S.INVESTIGATION}),
            S.AT_PROSECUTOR,
            Perm.WORK,
            "CPC art. 298-300",
        ),
        Transition(
            "return_for_investigation",
            _("Return for additional investigation"),
            frozenset({S.AT_PROSECUTOR}),
            S.INVESTIGATION,
            Perm.SUPERVISE,
            "CPC art. 302",
            needs_reason=True,
        ),
        Transition(
            "send_to_court",
            _("Send to court"),
            frozenset({S.AT_PROSECUTOR}),
            S.IN_COURT,
            Perm.SUPERVISE,
            "CPC art. 302, 305",
        ),
        Transition(
            "return_to_prosecutor",
            _("Return the case to the prosecutor"),
            frozenset({S.IN_COURT}),
            S.AT_PROSECUTOR,
            Perm.ADJUDICATE,
            "CPC art. 323",
            needs_reason=True,
        ),
        Transition(
            "deliver_verdict",
            _("Record the verdict"),
            frozenset({S.IN_COURT}),
            S.VERDICT,
            Perm.ADJUDICATE,
            "CPC art. 393",
            needs_reason=True,
        ),
        Transition(
            "begin_execution",
            _("Turn the sentence to execution"),
            frozenset({S.VERDICT}),
            S.EXECUTION,
            Perm.ADJUDICATE,
            "CPC art. 470-472",
        ),
        Transition(
            "archive",
            _("Archive the case"),
            frozenset({S.TERMINATED, S.EXECUTION, S.JOINED}),
            S.ARCHIVED,
            Perm.MANAGE,
            "CPC art. 289",
        ),
    )
}


def allowed_from(stage: str) -> list[Transition]:
    """Transitions whose source includes ``stage``."""
    return [t for t in TRANSITIONS.values() if stage in t.sources]
