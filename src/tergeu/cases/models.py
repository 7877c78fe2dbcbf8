"""The ERDR card, the case's stage, its participants and who may see it (grants)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tergeu.accounts.models import District, Organisation, Region
from tergeu.core.models import BaseModel
from tergeu.intake.models import Report
from tergeu.qualification.models import Article, ArticlePart


class Stage(models.TextChoices):
    """Stages of a case; the allowed moves between them are in :mod:`tergeu.cases.stages`."""

    REGISTERED = "registered", _("Registered")
    INVESTIGATION = "investigation", _("Under investigation")
    INTERRUPTED = "interrupted", _("Interrupted")
    JOINED = "joined", _("Joined to another case")
    TERMINATED = "terminated", _("Terminated")
    AT_PROSECUTOR = "at_prosecutor", _("Sent to the prosecutor")
    IN_COURT = "in_court", _("Sent to court")
    VERDICT = "verdict", _("Verdict delivered")
    EXECUTION = "execution", _("Sentence in execution")
    ARCHIVED = "archived", _("Archived")


class Form(models.TextChoices):
    """Forms of pre-trial investigation (CPC art. 189-191)."""

    INQUIRY = "inquiry", _("Inquiry")
    PRELIMINARY = "preliminary", _("Preliminary investigation")
    ACCELERATED = "accelerated", _("Accelerated pre-trial investigation")


class Case(BaseModel):
    """A criminal case registered in ERDR: the card fields of DESIGN.md and its state."""

    erdr_number = models.CharField(_("ERDR number"), max_length=15, unique=True)
    registered_at = models.DateTimeField(_("registered at"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("registering body"),
    )
    report = models.OneToOneField(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    offence_at = models.DateTimeField(_("time of the offence"), null=True, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address = models.CharField(_("place of the offence"), max_length=500, blank=True)
    fabula = models.TextField(_("description (fabula)"))
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="+", verbose_name=_("article")
    )
    part = models.ForeignKey(
        ArticlePart,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("part"),
    )
    paragraph = models.CharField(_("paragraph"), max_length=10, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REGISTERED
    )
    form = models.CharField(
        _("form of investigation"), max_length=20, choices=Form.choices, blank=True
    )
    electronic = models.BooleanField(_("electronic format"), default=False)
    investigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prosecutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    stage_ground = models.CharField(_("ground"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="split_cases"
    )
    joined_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="joined_cases"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-registered_at"]
        indexes = [
            models.Index(fields=["stage", "registered_at"]),
            models.Index(fields=["article", "registered_at"]),
        ]

    def __str__(self) -> str:
        return self.erdr_number

    @property
    def qualification(self) -> str:
        """Qualification as lawyers write it: 'ст. 188 ч. 2 п. 1'."""
        text = f"{self.article_id}"
        if self.part_id:
            text += f" ч.{self.part.number}"  # type: ignore[union-attr]
        if self.paragraph:
            text += f" п.{self.paragraph}"
        return text


class GrantRole(models.TextChoices):
    """Why a person may see a case (DESIGN.md principle 4)."""

    INVESTIGATOR = "investigator", _("Investigator")
    TEAM = "team", _("Investigative team member")
    HEAD = "head", _("Head of unit")
    REGISTRAR = "registrar", _("Registering officer")
    PROSECUTOR = "prosecutor", _("Supervising prosecutor")
    COURT = "court", _("Court")
    DEFENDER = "defender", _("Defender")
    EXPERT = "expert", _("Expert")


class Grant(models.Model):
    """A person's access to one case; lists join on (user, case) and only active grants count."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_grants"
    )
    role = models.CharField(max_length=20, choices=GrantRole.choices)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    #: A copy of the case's ``registered_at`` (which never changes once registered), so that
    #: "My cases" is paged newest first from the grants' index alone, without reading every
    #: visible case (docs/performance.md). Filled by :meth:`save` when not given; a
    #: ``bulk_create`` must give it.
    case_registered_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["user", "case"], name="grant_user_case"),
            models.Index(
                fields=["user", "-case_registered_at", "-case"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_user_newest",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=models.Q(revoked_at__isnull=True),
                name="grant_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} {self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.case_registered_at is None and self.case_id is not None:
            self.case_registered_at = self.case.registered_at
        super().save(*args, **kwargs)


class ParticipantStatus(models.TextChoices):
    """Procedural statuses of persons in a case (CPC chapters 7-9)."""

    SUSPECT = "suspect", _("Suspect")
    ACCUSED = "accused", _("Accused")
    WITNESS_WITH_DEFENCE = "witness_defence", _("Witness with the right to defence")
    VICTIM = "victim", _("Victim")
    WITNESS = "witness", _("Witness")
    CIVIL_PLAINTIFF = "civil_plaintiff", _("Civil plaintiff")
    CIVIL_DEFENDANT = "civil_defendant", _("Civil defendant")
    REPRESENTATIVE = "representative", _("Representative")
    DEFENDER = "defender", _("Defender")
    EXPERT = "expert", _("Expert")
    SPECIALIST = "specialist", _("Specialist")
    INTERPRETER = "interpreter", _("Interpreter")


class Participant(BaseModel):
    """A person in the case with a procedural status and contact data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    status = models.CharField(
        _("procedural status"), max_length=20, choices=ParticipantStatus.choices
    )
    last_name = models.CharField(_("last name"), max_length=150)
    first_name = models.CharField(_("first name"), max_length=150)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    iin = models.CharField(_("IIN"), max_length=12, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    language = models.CharField(_("language"), max_length=2, default="ru")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    represents = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="represented_by"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "status", "last_name"]
        indexes = [models.Index(fields=["iin"]), models.Index(fields=["last_name"])]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def __str__(self) -> str:
        return self.full_name


class Detention(BaseModel):
    """One deprivation of liberty of a participant: detention (CPC art. 128-133) and/or custody.

    A detention row starts at ``detained_at`` (the minute of the actual capture, art. 128(5)).
    It ends by release (``released_at``, a ground of art. 133) or by the custody a court
    orders (``custody_from``). Custody may also be ordered for a person never detained
    (art. 147): then ``detained_at`` is empty. The services in :mod:`tergeu.cases.detention`
    keep these fields consistent; the journal holds every change.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="detentions")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="detentions"
    )
    detained_at = models.DateTimeField(_("detained at"), null=True, blank=True)
    place = models.CharField(_("place of detention"), max_length=500, blank=True)
    minor = models.BooleanField(_("minor"), default=False)
    grounds_72h = models.BooleanField(_("72 hours allowed (CPC art. 131(4))"), default=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    protocol_at = models.DateTimeField(_("protocol drawn at"), null=True, blank=True)
    prosecutor_notified_at = models.DateTimeField(
        _("prosecutor notified at"), null=True, blank=True
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_ground = models.CharField(_("ground of release"), max_length=20, blank=True)
    custody_from = models.DateTimeField(_("custody from"), null=True, blank=True)
    custody_until = models.DateTimeField(_("custody until"), null=True, blank=True)
    court_order_ref = models.CharField(_("court order"), max_length=200, blank=True)
    custody_ended_at = models.DateTimeField(_("custody ended at"), null=True, blank=True)
    custody_end_ground = models.CharField(
        _("ground of the end of custody"), max_length=20, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["case", "-created_at"]
        indexes = [models.Index(fields=["case", "participant"], name="detention_case_person")]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.detained_at or self.custody_from}"

    @property
    def detained_now(self) -> bool:
        """Detained and neither released nor taken into custody."""
        return (
            self.detained_at is not None and self.released_at is None and self.custody_from is None
        )

    @property
    def in_custody(self) -> bool:
        """Custody ordered and not ended."""
        return self.custody_from is not None and self.custody_ended_at is None

    @property
    def active(self) -> bool:
        return self.detained_now or self.in_custody
