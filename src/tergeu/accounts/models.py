"""People, organisations (with region and district codes), roles and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tergeu.core.models import BaseModel


class Role(models.TextChoices):
    """What a person does in criminal proceedings; decides which services they may call."""

    INVESTIGATOR = "investigator", _("Investigator")
    INQUIRY_OFFICER = "inquiry_officer", _("Inquiry officer")
    HEAD_OF_UNIT = "head_of_unit", _("Head of unit")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    PROSECUTOR = "prosecutor", _("Prosecutor")
    INVESTIGATING_JUDGE = "investigating_judge", _("Investigating judge")
    JUDGE = "judge", _("Judge")
    DEFENDER = "defender", _("Defender")
    EXPERT = "expert", _("Forensic expert")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")


#: Roles that conduct pre-trial investigation (CPC art. 60, 61): they may be assigned a case.
INVESTIGATING_ROLES = frozenset({Role.INVESTIGATOR, Role.INQUIRY_OFFICER})
#: Roles of a criminal-prosecution body that may record reports and register them in ERDR.
REGISTERING_ROLES = frozenset(
    {Role.DUTY_OFFICER, Role.INVESTIGATOR, Role.INQUIRY_OFFICER, Role.HEAD_OF_UNIT}
)


class OrgKind(models.TextChoices):
    """Kinds of organisation that take part in criminal proceedings."""

    POLICE = "police", _("Police investigative unit")
    ANTICORRUPTION = "anticorruption", _("Anti-corruption service")
    ECONOMIC = "economic", _("Economic investigation service")
    PROSECUTOR = "prosecutor", _("Prosecutor's office")
    COURT = "court", _("Court")
    BAR = "bar", _("Bar association")
    FORENSIC = "forensic", _("Forensic centre")


#: Organisation kinds that are criminal-prosecution bodies (they run the ERDR register).
PROSECUTION_BODY_KINDS = frozenset({OrgKind.POLICE, OrgKind.ANTICORRUPTION, OrgKind.ECONOMIC})


class LocalizedName(models.Model):
    """Mixin: a name in each of the three languages and the one for the active language."""

    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (translation.get_language() or "ru")[:2]
        return str(getattr(self, f"name_{lang}", "") or self.name_ru)


class Region(LocalizedName):
    """A region (область) or city of republican significance, with its 2-digit code."""

    code = models.CharField(max_length=2, primary_key=True)

    class Meta:
        ordering = ["code"]


class District(LocalizedName):
    """A district (район) of a region, with its 2-digit code inside the region."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(max_length=2)

    class Meta:
        ordering = ["region", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="district_code_unique")
        ]


class Organisation(BaseModel, LocalizedName):
    """A body: police unit, prosecutor's office, court, bar, forensic centre.

    ``code`` (6 digits: region, district, body) is part of ERDR numbers it registers.
    ``supervisor`` is the prosecutor's office that supervises its investigations.
    """

    code = models.CharField(_("code"), max_length=6, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    supervisor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="supervised"
    )

    class Meta:
        ordering = ["code"]

    @property
    def is_prosecution_body(self) -> bool:
        return self.kind in PROSECUTION_BODY_KINDS


class User(AbstractUser):
    """A person who signs in: an official, a lawyer, an expert or an administrator."""

    iin = models.CharField(_("IIN"), max_length=12, unique=True, null=True, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
        default="ru",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["organisation", "role"])]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def __str__(self) -> str:
        return self.full_name or self.username


class ApiToken(BaseModel):
    """A bearer token for a system calling the API on behalf of a user.

    Only the SHA-256 of the token is stored; the token is shown once when created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
