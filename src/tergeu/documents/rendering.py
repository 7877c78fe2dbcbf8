"""Rendering the text of a procedural document from its case, its fields and its signer.

Each type has one plain-text template per language (``documents/text/<code>.<lang>.txt``).
The context holds the case (ERDR number, qualification), the body that issues the
document, the date in Kazakhstan local time, the signer, the legal basis as it is cited in
that language, and the fields as display values (choices as their labels, participants as
people, times in local time). Legal wording (months, citations, positions) is kept here
rather than in gettext, because a document is written in its own language whatever the
reader's interface language is.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.template import Context, engines
from django.template.backends.django import DjangoTemplates

from tergeu.cases.models import Case, Participant
from tergeu.core.clock import local

from .catalogue import DocType, FieldSpec, Ref

_MONTHS = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "kk": "қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан",
    # Kazakh in the locative ('in March'), for 'registered on ...'.
    "kk_loc": "қаңтарда ақпанда наурызда сәуірде мамырда маусымда шілдеде тамызда қыркүйекте "
    "қазанда қарашада желтоқсанда",
    "en": "January February March April May June July August September October November December",
}
MONTHS: dict[str, tuple[str, ...]] = {k: tuple(v.split(" ")) for k, v in _MONTHS.items()}

#: How the person who signs is called, by role, in each language.
POSITIONS: dict[str, dict[str, str]] = {
    "investigator": {"kk": "Тергеуші", "ru": "Следователь", "en": "Investigator"},
    "inquiry_officer": {"kk": "Анықтаушы", "ru": "Дознаватель", "en": "Inquiry officer"},
    "head_of_unit": {"kk": "Бөлім бастығы", "ru": "Начальник отдела", "en": "Head of unit"},
    "prosecutor": {"kk": "Прокурор", "ru": "Прокурор", "en": "Prosecutor"},
}
OFFICIAL = {"kk": "Лауазымды адам", "ru": "Должностное лицо", "en": "Official"}
CPC_NAME = {
    "kk": "Қазақстан Республикасы ҚПК-нің",
    "ru": "УПК Республики Казахстан",
    "en": "of the Criminal Procedure Code of the Republic of Kazakhstan",
}


def format_date(day: dt.date, language: str, *, locative: bool = False) -> str:
    """A date as official documents write it: «5» марта 2025 года / 2025 жылғы 5 наурыз.

    ``locative`` gives the Kazakh 'on that day' form (2025 жылғы 5 наурызда).
    """
    if language == "kk":
        months = MONTHS["kk_loc" if locative else "kk"]
        return f"{day.year} жылғы {day.day} {months[day.month - 1]}"
    if language == "en":
        return f"{day.day} {MONTHS['en'][day.month - 1]} {day.year}"
    return f"«{day.day}» {MONTHS['ru'][day.month - 1]} {day.year} года"


def format_time(moment: dt.datetime, language: str) -> str:
    """A local time to the minute: 10 ч 05 мин / 10 сағ 05 мин / 10:05."""
    t = local(moment)
    if language == "kk":
        return f"{t.hour} сағ {t.minute:02d} мин"
    if language == "en":
        return f"{t.hour:02d}:{t.minute:02d}"
    return f"{t.hour} ч {t.minute:02d} мин"


def cite(ref: Ref, language: str, *, accusative: bool = False) -> str:
    """A CPC reference without the code's name: 'ч. 2 ст. 42-1' / '42-1-бабының 2-бөлігі'."""
    a, part, point = ref.article, ref.part, ref.point
    if language == "kk":
        if point:
            return f"{a}-бабы {part}-бөлігінің {point}) тармағ{'ын' if accusative else 'ы'}"
        if part:
            return f"{a}-бабының {part}-бөліг{'ін' if accusative else 'і'}"
        return f"{a}-баб{'ын' if accusative else 'ы'}"
    if language == "en":
        return f"art. {a}" + "".join(f"({p})" for p in (part, point) if p)
    text = f"ст. {a}"
    if part:
        text = f"ч. {part} {text}"
    if point:
        text = f"п. {point}) {text}"
    return text


def cite_code(ref: Ref, language: str) -> str:
    """A CPC reference with the code's name, e.g. 'п. 1) ч. 7 ст. 45 УПК Республики Казахстан'."""
    if language == "kk":
        return f"{CPC_NAME['kk']} {cite(ref, language)}"
    if language == "en":
        return f"{cite(ref, language)} {CPC_NAME['en']}"
    return f"{cite(ref, language)} {CPC_NAME['ru']}"


def _group(refs: tuple[Ref, ...], language: str) -> list[str]:
    """Parts of one article cited together: 'ч. 1, 3 ст. 71' / '71-бабының 1, 3-бөліктерін'."""
    kk_acc = language == "kk"
    items: list[str] = []
    by_article: dict[str, list[str]] = {}
    order: list[str] = []
    for ref in refs:
        if ref.part and not ref.point:
            if ref.article not in by_article:
                order.append(ref.article)
            by_article.setdefault(ref.article, []).append(ref.part)
        elif ref.part:
            items.append(cite(ref, language, accusative=kk_acc))
    for article in order:
        parts = by_article[article]
        if len(parts) == 1:
            items.append(cite(Ref(article, parts[0]), language, accusative=kk_acc))
        elif language == "kk":
            items.append(f"{article}-бабының {', '.join(parts)}-бөліктерін")
        elif language == "en":
            items.append(f"art. {article}" + ", ".join(f"({p})" for p in parts))
        else:
            items.append(f"ч. {', '.join(parts)} ст. {article}")
    return items


def basis(refs: tuple[Ref, ...], language: str) -> str:
    """The 'guided by ...' list of a document's articles, in the language's grammar.

    Parts of one article and whole articles are grouped: 'ч. 1, 3 ст. 71, ст. 199, 208'.
    """
    items = _group(refs, language)
    whole = [r.article for r in refs if not r.part]
    if len(whole) == 1:
        items.append(cite(Ref(whole[0]), language, accusative=language == "kk"))
    elif whole:
        numbers = ", ".join(whole)
        items.append(
            f"{numbers}-баптарын"
            if language == "kk"
            else (f"art. {numbers}" if language == "en" else f"ст. {numbers}")
        )
    joined = ", ".join(items)
    if language == "kk":
        return f"{CPC_NAME['kk']} {joined}"
    if language == "en":
        return f"{joined} {CPC_NAME['en']}"
    return f"{joined} {CPC_NAME['ru']}"


def qualification(
    article: str, part: str, paragraph: str, language: str, *, locative: bool = False
) -> str:
    """Criminal Code qualification: 'п. 1 ч. 2 ст. 188 УК РК' / 'ҚР ҚК-нің 188-бабы ...'.

    Kazakh needs the locative before 'көзделген' ('provided for in'); ``locative`` gives it.
    """
    if language == "kk":
        loc = "нда" if locative else ""
        if paragraph and part:
            return f"ҚР ҚК-нің {article}-бабы {part}-бөлігінің {paragraph}-тармағы{loc}"
        if part:
            return f"ҚР ҚК-нің {article}-бабының {part}-бөлігі{'нде' if locative else ''}"
        return f"ҚР ҚК-нің {article}-бабы{loc}"
    if language == "en":
        tail = "".join(f"({p})" for p in (part, paragraph) if p)
        return f"art. {article}{tail} of the Criminal Code of the Republic of Kazakhstan"
    text = f"ст. {article} УК РК"
    if part:
        text = f"ч. {part} {text}"
    if paragraph:
        text = f"п. {paragraph} {text}"
    return text


def case_qualification(case: Case, language: str, *, locative: bool = False) -> str:
    """The case's qualification from its ERDR card."""
    part = case.part.number if case.part_id else ""  # type: ignore[union-attr]
    return qualification(str(case.article_id), part, case.paragraph, language, locative=locative)


@dataclass(frozen=True)
class Signer:
    """Who draws up (and later signs) the document, as the text names them."""

    name: str
    short: str
    position: str

    @classmethod
    def of(cls, user: Any, language: str) -> Signer:
        """The signer block for ``user``."""
        last = (user.last_name or user.username or "").strip()
        initials = "".join(f"{p[0]}." for p in (user.first_name, user.patronymic) if p)
        full = " ".join(p for p in (user.last_name, user.first_name, user.patronymic) if p)
        position = POSITIONS.get(user.role, OFFICIAL)[language]
        return cls(name=full or last, short=f"{last} {initials}".strip(), position=position)


@dataclass(frozen=True)
class Value:
    """A field as the text shows it; ``str()`` is its display text, falsy when not given."""

    raw: Any
    text: str
    label: str
    ref: str = ""
    date: str = ""
    time: str = ""
    person: Participant | None = None
    birth: str = ""

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return self.raw not in (None, "")


def _value(spec: FieldSpec, raw: Any, language: str, people: dict[str, Participant]) -> Value:
    label = spec.label.text(language)
    if raw in (None, ""):
        return Value(raw=None, text="", label=label)
    if spec.type == "choice":
        choice = spec.choice(raw)
        text = choice.label.text(language) if choice else str(raw)
        ref = cite_code(choice.ref, language) if choice and choice.ref else ""
        return Value(raw=raw, text=text, label=label, ref=ref)
    if spec.type == "date":
        text = format_date(dt.date.fromisoformat(raw), language)
        return Value(raw=raw, text=text, label=label, date=text)
    if spec.type == "datetime":
        moment = dt.datetime.fromisoformat(raw)
        day = format_date(local(moment).date(), language)
        clock_text = format_time(moment, language)
        return Value(raw=raw, text=f"{day}, {clock_text}", label=label, date=day, time=clock_text)
    if spec.type == "participant":
        person = people.get(str(raw))
        birth = format_date(person.birth_date, language) if person and person.birth_date else ""
        text = person.full_name if person else str(raw)
        return Value(raw=raw, text=text, label=label, person=person, birth=birth)
    return Value(raw=raw, text=str(raw), label=label)


@dataclass(frozen=True)
class Previous:
    """The document a correction replaces, as the correction cites it."""

    number: int
    title: str
    date: str


def context(
    doc_type: DocType,
    case: Case,
    fields: dict[str, Any],
    language: str,
    *,
    number: int,
    signer: Any,
    when: dt.datetime,
    supersedes: Any = None,
    reason: str = "",
) -> dict[str, Any]:
    """The template context of a document's text."""
    ids = [
        str(fields[f.name])
        for f in doc_type.fields
        if f.type == "participant" and fields.get(f.name)
    ]
    people = {
        str(p.pk): p
        for p in Participant.objects.filter(case=case, pk__in=[uuid.UUID(i) for i in ids])
    }
    org = case.organisation
    previous = None
    if supersedes is not None:
        moment = supersedes.finalised_at or supersedes.created_at
        previous = Previous(
            number=supersedes.number,
            title=supersedes.title,
            date=format_date(local(moment).date(), language),
        )
    ctx: dict[str, Any] = {
        "title": doc_type.title.text(language),
        "number": number,
        "case": case,
        "erdr": case.erdr_number,
        "registered": format_date(local(case.registered_at).date(), language, locative=True),
        "qualification": case_qualification(case, language),
        "qualification_loc": case_qualification(case, language, locative=True),
        "organisation": getattr(org, f"name_{language}") or org.name_ru,
        "place": getattr(org.region, f"name_{language}") or org.region.name_ru,
        "date": format_date(local(when).date(), language),
        "signer": Signer.of(signer, language),
        "basis": basis(doc_type.articles, language),
        "f": {f.name: _value(f, fields.get(f.name), language, people) for f in doc_type.fields},
        "supersedes": previous,
        "reason": reason,
    }
    if fields.get("cc_article"):
        cc = (fields["cc_article"], fields.get("cc_part", ""), fields.get("cc_paragraph", ""))
        ctx["cc"] = qualification(*cc, language)
        ctx["cc_loc"] = qualification(*cc, language, locative=True)
    return ctx


_BLANK_RUNS = re.compile(r"\n{3,}")


def render_text(template_name: str, ctx: dict[str, Any]) -> str:
    """Render a plain-text template without HTML escaping, tidy its blank lines."""
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    template = backend.engine.get_template(template_name)
    text = template.render(Context(ctx, autoescape=False))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n") + "\n"


def render_body(
    doc_type: DocType,
    case: Case,
    fields: dict[str, Any],
    language: str,
    *,
    number: int,
    signer: Any,
    when: dt.datetime,
    supersedes: Any = None,
    reason: str = "",
) -> str:
    """The text of a document of ``doc_type`` in ``language``."""
    ctx = context(
        doc_type,
        case,
        fields,
        language,
        number=number,
        signer=signer,
        when=when,
        supersedes=supersedes,
        reason=reason,
    )
    return render_text(doc_type.template_name(language), ctx)
