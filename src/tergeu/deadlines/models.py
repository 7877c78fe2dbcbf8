"""Clocks of procedural time limits, outages of the system, and loaded calendars."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.cases.models import Case, Participant
from tergeu.core.models import BaseModel
from tergeu.intake.models import Report


class ClockStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Interrupted")
    MET = "met", _("Met")
    EXPIRED = "expired", _("Expired")
    ENDED = "ended", _("Ended")


#: Statuses of a clock that still counts (or may count again).
OPEN_STATUSES = (ClockStatus.RUNNING, ClockStatus.PAUSED)


class Clock(BaseModel):
    """One time limit of one case (or KUI report), started by a journal event under a rule.

    ``due_at`` is the moment the term runs out (UTC; computed in Kazakhstan local time by
    :mod:`tergeu.deadlines.counting`). ``adjustments`` lists every change of ``due_at``
    after the start (extension, interruption, outage), each with before/after and the
    journal event that made it: no silent changes.
    """

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    rule = models.CharField(_("rule"), max_length=60)
    #: What the clock is about inside the case: a participant id, a motion id ("" for the case).
    subject = models.CharField(max_length=64, blank=True, default="")
    subject_participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    #: Derived clocks (e.g. the extension request) follow their parent clock.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        max_length=10, choices=ClockStatus.choices, default=ClockStatus.RUNNING
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    remaining = models.DurationField(null=True, blank=True)
    extended_until = models.DateTimeField(null=True, blank=True)
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responsible_role = models.CharField(max_length=30)
    #: The body whose officials of ``responsible_role`` answer for the clock.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    #: Warning thresholds (hours before ``due_at``) already sent.
    warned = models.JSONField(default=list, blank=True)
    #: Changes of ``due_at`` after the start: [{"kind", "at", "before", "after", "event", ...}].
    adjustments = models.JSONField(default=list, blank=True)
    #: The calendar of a year the due date falls in was not loaded: weekends only were used.
    provisional = models.BooleanField(default=False)
    source_event = models.BigIntegerField(_("journal event"))
    end_event = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="clock_status_due"),
            models.Index(fields=["responsible_user", "status", "due_at"], name="clock_user_due"),
            models.Index(
                fields=["organisation", "responsible_role", "status", "due_at"],
                name="clock_org_role_due",
            ),
            models.Index(fields=["case", "rule"], name="clock_case_rule"),
            models.Index(fields=["report", "rule"], name="clock_report_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.status} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def rule_def(self):  # type: ignore[no-untyped-def]
        """The :class:`tergeu.deadlines.rules.Rule` of this clock."""
        from .rules import RULES

        return RULES[self.rule]


class OutageRule(models.TextChoices):
    EXTEND_BY_DURATION = "extend_by_duration", _("Extend by the length of the outage")
    EXTEND_TO_NEXT_WORKING_DAY = (
        "extend_to_next_working_day",
        _("Extend to the end of the next working day after the outage"),
    )


class Outage(BaseModel):
    """A certified period when the system itself was down (downtime certificate)."""

    started_at = models.DateTimeField(_("outage from"))
    ended_at = models.DateTimeField(_("outage until"))
    reason = models.TextField(_("reason"))
    rule = models.CharField(max_length=40, choices=OutageRule.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    #: How many clocks were adjusted.
    clocks_adjusted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"outage {self.started_at:%Y-%m-%d %H:%M} - {self.ended_at:%H:%M}"


class CalendarYear(models.Model):
    """A production calendar loaded by an administrator; overrides the shipped data file."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    content = models.TextField(help_text="the TOML file as loaded")
    source = models.CharField(max_length=500)
    loaded_at = models.DateTimeField()
    loaded_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return f"calendar {self.year}"
