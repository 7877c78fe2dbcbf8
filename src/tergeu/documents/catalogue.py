"""The catalogue of procedural documents: law as data (``data/catalogue.json``).

Each document type names the articles of the Criminal Procedure Code (K1400000231) it rests
on, its structured fields, the procedural status its principal participant must hold, and
an optional effect applied when the document is finalised. The JSON is loaded into frozen
dataclasses and checked when this module is imported, so a broken catalogue stops the
application at start-up instead of at the first document.

Shared field definitions live under ``"shared_fields"``; a type's field may say
``{"use": "<name>", ...}`` and override any key of the shared definition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.utils import translation

from tergeu.cases.models import ParticipantStatus

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
KINDS: tuple[str, ...] = ("resolution", "protocol", "request", "summons")
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "textarea",
    "date",
    "datetime",
    "choice",
    "participant",
    "integer",
)
#: Effects a finalised document may have on its case; implemented in :mod:`.effects`.
EFFECTS: frozenset[str] = frozenset({"electronic_format", "paper_format"})
#: Names a field may not take: they are parameters of the services and forms.
RESERVED_NAMES: frozenset[str] = frozenset(
    {"doc_type", "language", "reason", "version", "fields", "case", "number"}
)
DEFAULT_MAX_LENGTH = {"text": 500, "textarea": 20_000}

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_REF = re.compile(r"^(\d+(?:-\d+)?)(?:\((\d+(?:-\d+)?)\))?(?:\((\d+(?:-\d+)?)\))?$")


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message says where."""


@dataclass(frozen=True)
class Label:
    """A text in Kazakh, Russian and English; ``str()`` gives the active language's."""

    kk: str
    ru: str
    en: str

    def text(self, language: str | None = None) -> str:
        """The text in ``language`` (default: the active language), Russian as fallback."""
        lang = (language or translation.get_language() or "ru")[:2]
        return str(getattr(self, lang, "") or self.ru) if lang in LANGUAGES else self.ru

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Ref:
    """A reference to the CPC: article, optional part and point, e.g. ``45(7)(1)``."""

    article: str
    part: str | None = None
    point: str | None = None

    @classmethod
    def parse(cls, text: str) -> Ref:
        """Parse ``"42-1(2)"`` style references."""
        match = _REF.match(text)
        if not match:
            raise CatalogueError(f"bad CPC reference {text!r}")
        return cls(*match.groups())

    def __str__(self) -> str:
        return "CPC art. " + self.article + "".join(f"({p})" for p in (self.part, self.point) if p)


@dataclass(frozen=True)
class Choice:
    """One value of a choice field; ``ref`` cites the rule it stands for, ``caps`` limits
    integer fields when it is chosen (e.g. a district prosecutor extends to 3 months)."""

    value: str
    label: Label
    ref: Ref | None = None
    caps: Mapping[str, int] = field(default_factory=dict)
    rule: str = ""


@dataclass(frozen=True)
class FieldSpec:
    """A structured field of a document type."""

    name: str
    type: str
    label: Label
    required: bool = False
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    statuses: tuple[str, ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    pattern: str = ""
    not_before: str = ""
    help: Label | None = None

    def choice(self, value: Any) -> Choice | None:
        """The choice with ``value``, if this field offers it."""
        return next((c for c in self.choices if c.value == value), None)


@dataclass(frozen=True)
class Duration:
    """A limit on the time between two datetime fields (e.g. interrogation, CPC art. 209(3))."""

    start: str
    end: str
    hours: int
    rule: str


@dataclass(frozen=True)
class DocType:
    """A type of procedural document."""

    code: str
    kind: str
    title: Label
    articles: tuple[Ref, ...]
    fields: tuple[FieldSpec, ...]
    participant_status: str | None = None
    effect: str | None = None
    duration: Duration | None = None

    def field(self, name: str) -> FieldSpec | None:
        """The field called ``name``, if the type has it."""
        return next((f for f in self.fields if f.name == name), None)

    def template_name(self, language: str) -> str:
        """The text template of this type in ``language``."""
        return f"documents/text/{self.code}.{language}.txt"


@dataclass(frozen=True)
class Catalogue:
    """All document types, in the order of the data file."""

    source: str
    types: tuple[DocType, ...]

    def get(self, code: str) -> DocType | None:
        """The type with ``code``, or None."""
        return next((t for t in self.types if t.code == code), None)

    def __iter__(self) -> Iterator[DocType]:
        return iter(self.types)

    def __len__(self) -> int:
        return len(self.types)

    def choices(self) -> list[tuple[str, str]]:
        """(code, title) pairs in the active language, for forms."""
        return [(t.code, t.title.text()) for t in self.types]


# --- loading and checking -------------------------------------------------------------


def _label(raw: Any, where: str) -> Label:
    if not isinstance(raw, dict) or set(raw) != set(LANGUAGES):
        raise CatalogueError(f"{where}: a label needs exactly the keys kk, ru, en")
    for lang in LANGUAGES:
        if not isinstance(raw[lang], str) or not raw[lang].strip():
            raise CatalogueError(f"{where}: empty {lang} text")
    return Label(kk=raw["kk"], ru=raw["ru"], en=raw["en"])


def _int(raw: Any, where: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise CatalogueError(f"{where}: must be an integer")
    return raw


_FIELD_KEYS = frozenset(
    {
        "name",
        "type",
        "label",
        "required",
        "max_length",
        "choices",
        "statuses",
        "min",
        "max",
        "pattern",
        "not_before",
        "help",
    }
)


def _choice(raw: Any, where: str) -> Choice:
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), str) or not raw["value"]:
        raise CatalogueError(f"{where}: a choice needs a value")
    unknown = set(raw) - {"value", "label", "ref", "caps", "rule"}
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    caps = raw.get("caps", {})
    if not isinstance(caps, dict) or not all(isinstance(v, int) for v in caps.values()):
        raise CatalogueError(f"{where}: caps must map field names to integers")
    if caps and not raw.get("rule"):
        raise CatalogueError(f"{where}: caps need the rule they come from")
    return Choice(
        value=raw["value"],
        label=_label(raw.get("label"), f"{where}.label"),
        ref=Ref.parse(raw["ref"]) if raw.get("ref") else None,
        caps=dict(caps),
        rule=str(raw.get("rule", "")),
    )


def _field(raw: Any, shared: Mapping[str, dict[str, Any]], where: str) -> FieldSpec:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a field must be an object")
    if "use" in raw:
        base = shared.get(raw["use"])
        if base is None:
            raise CatalogueError(f"{where}: unknown shared field {raw['use']!r}")
        raw = {**base, **{k: v for k, v in raw.items() if k != "use"}}
    unknown = set(raw) - _FIELD_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    name = raw.get("name", "")
    if not isinstance(name, str) or not _NAME.match(name) or name in RESERVED_NAMES:
        raise CatalogueError(f"{where}: bad field name {name!r}")
    where = f"{where}[{name}]"
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        raise CatalogueError(f"{where}: unknown type {ftype!r}")
    if not isinstance(raw.get("required", False), bool):
        raise CatalogueError(f"{where}: required must be true or false")
    max_length = _int(raw.get("max_length"), f"{where}.max_length")
    if ftype in DEFAULT_MAX_LENGTH:
        max_length = max_length or DEFAULT_MAX_LENGTH[ftype]
    elif max_length is not None:
        raise CatalogueError(f"{where}: max_length is for text fields")
    choices = tuple(
        _choice(c, f"{where}.choices[{i}]") for i, c in enumerate(raw.get("choices", []))
    )
    if (ftype == "choice") != bool(choices):
        raise CatalogueError(f"{where}: choices belong to (and are needed by) choice fields")
    if len({c.value for c in choices}) != len(choices):
        raise CatalogueError(f"{where}: duplicate choice values")
    statuses = tuple(raw.get("statuses", []))
    if statuses and ftype != "participant":
        raise CatalogueError(f"{where}: statuses are for participant fields")
    bad = set(statuses) - set(ParticipantStatus.values)
    if bad:
        raise CatalogueError(f"{where}: unknown participant statuses {sorted(bad)}")
    min_value, max_value = _int(raw.get("min"), where), _int(raw.get("max"), where)
    if (min_value is not None or max_value is not None) and ftype != "integer":
        raise CatalogueError(f"{where}: min and max are for integer fields")
    pattern = raw.get("pattern", "")
    if pattern:
        if ftype != "text":
            raise CatalogueError(f"{where}: pattern is for text fields")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CatalogueError(f"{where}: bad pattern: {exc}") from exc
    return FieldSpec(
        name=name,
        type=ftype,
        label=_label(raw.get("label"), f"{where}.label"),
        required=raw.get("required", False),
        max_length=max_length,
        choices=choices,
        statuses=statuses,
        min_value=min_value,
        max_value=max_value,
        pattern=pattern,
        not_before=raw.get("not_before", ""),
        help=_label(raw["help"], f"{where}.help") if "help" in raw else None,
    )


def _doc_type(raw: Any, shared: Mapping[str, dict[str, Any]], where: str) -> DocType:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a type must be an object")
    unknown = set(raw) - {
        "code",
        "kind",
        "title",
        "articles",
        "fields",
        "participant_status",
        "effect",
        "duration",
    }
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
    code = raw.get("code", "")
    if not isinstance(code, str) or not _NAME.match(code):
        raise CatalogueError(f"{where}: bad code {code!r}")
    where = f"type {code}"
    if raw.get("kind") not in KINDS:
        raise CatalogueError(f"{where}: kind must be one of {KINDS}")
    articles = tuple(Ref.parse(a) for a in raw.get("articles", []))
    if not articles:
        raise CatalogueError(f"{where}: name the CPC articles the document rests on")
    fields = tuple(
        _field(f, shared, f"{where}.fields[{i}]") for i, f in enumerate(raw.get("fields", []))
    )
    names = [f.name for f in fields]
    if not fields or len(set(names)) != len(names):
        raise CatalogueError(f"{where}: fields missing or duplicated")
    by_name = {f.name: f for f in fields}
    for spec in fields:
        if spec.not_before:
            other = by_name.get(spec.not_before)
            if other is None or other.type != spec.type or spec.type not in ("date", "datetime"):
                raise CatalogueError(f"{where}.{spec.name}: not_before needs a {spec.type} field")
        for choice in spec.choices:
            for capped in choice.caps:
                if getattr(by_name.get(capped), "type", None) != "integer":
                    raise CatalogueError(f"{where}.{spec.name}: caps need integer field {capped}")
    status = raw.get("participant_status")
    if status is not None:
        if status not in ParticipantStatus.values:
            raise CatalogueError(f"{where}: unknown participant status {status!r}")
        if not any(f.type == "participant" for f in fields):
            raise CatalogueError(f"{where}: participant_status needs a participant field")
    if status is not None:
        fields = tuple(
            replace(f, statuses=(status,)) if f.type == "participant" and not f.statuses else f
            for f in fields
        )
    effect = raw.get("effect")
    if effect is not None and effect not in EFFECTS:
        raise CatalogueError(f"{where}: unknown effect {effect!r}")
    duration = None
    if raw.get("duration") is not None:
        d = raw["duration"]
        if not isinstance(d, dict) or set(d) != {"start", "end", "hours", "rule"}:
            raise CatalogueError(f"{where}: duration needs start, end, hours, rule")
        for key in ("start", "end"):
            if getattr(by_name.get(d[key]), "type", None) != "datetime":
                raise CatalogueError(f"{where}: duration.{key} must name a datetime field")
        duration = Duration(
            start=d["start"], end=d["end"], hours=int(d["hours"]), rule=str(d["rule"])
        )
    return DocType(
        code=code,
        kind=raw["kind"],
        title=_label(raw.get("title"), f"{where}.title"),
        articles=articles,
        fields=fields,
        participant_status=status,
        effect=effect,
        duration=duration,
    )


def parse(data: Any) -> Catalogue:
    """Check the decoded catalogue JSON and build the typed catalogue."""
    if not isinstance(data, dict) or not isinstance(data.get("types"), list):
        raise CatalogueError("the catalogue needs a list of types")
    shared = data.get("shared_fields", {})
    if not isinstance(shared, dict):
        raise CatalogueError("shared_fields must be an object")
    shared = {name: {"name": name, **spec} for name, spec in shared.items()}
    types = tuple(_doc_type(t, shared, f"types[{i}]") for i, t in enumerate(data["types"]))
    codes = [t.code for t in types]
    if len(set(codes)) != len(codes):
        raise CatalogueError("duplicate type codes")
    return Catalogue(source=str(data.get("source", "")), types=types)


def load(path: Path = DATA_FILE) -> Catalogue:
    """Read and check the catalogue file."""
    with path.open(encoding="utf-8") as fh:
        return parse(json.load(fh))


#: The catalogue, checked at import.
CATALOGUE: Catalogue = load()


def get_type(code: str) -> DocType | None:
    """The document type with ``code`` from the catalogue, or None."""
    return CATALOGUE.get(code)
