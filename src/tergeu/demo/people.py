"""Made-up people for the demo cases: Kazakh and Russian names, valid IINs, +7 phones.

Everything is drawn from a :class:`random.Random` the caller seeds, so the same seed
gives the same people.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from tergeu.core.iin import make_iin

# (first name, patronymic if the father has it: masculine, feminine)
_KZ_MALE = (
    "Арман", "Нурлан", "Ерлан", "Бауыржан", "Даурен", "Айдос", "Ерболат", "Санжар",
    "Асхат", "Канат", "Мирас", "Темирлан", "Алишер", "Жандос", "Ерасыл", "Дамир",
)  # fmt: skip
_KZ_FEMALE = (
    "Айгерим", "Динара", "Асель", "Жанар", "Гульнара", "Мадина", "Айжан", "Дана",
    "Салтанат", "Камила", "Алия", "Жансая", "Томирис", "Аружан", "Индира", "Сауле",
)  # fmt: skip
_KZ_FATHERS = (
    "Серик", "Марат", "Болат", "Нурлан", "Асхат", "Кайрат", "Жанат", "Бахыт",
    "Талгат", "Ермек", "Мурат", "Ерлан", "Даулет", "Аскар", "Галым", "Сабит",
)  # fmt: skip
_KZ_LAST = (
    "Ахметов", "Жумабеков", "Нурпеисов", "Сулейменов", "Бекмуханов", "Касымов", "Омаров",
    "Искаков", "Есенов", "Жаксылыков", "Утегенов", "Мусин", "Байжанов", "Кудайбергенов",
    "Серикбаев", "Абенов", "Тулеуов", "Сейткалиев", "Муканов", "Жакупов", "Оспанов",
    "Калиев", "Нургалиев", "Смагулов", "Рахимов", "Бейсенов",
)  # fmt: skip
_RU_MALE = (
    "Александр", "Сергей", "Андрей", "Дмитрий", "Виктор", "Игорь", "Олег", "Владимир",
    "Николай", "Евгений", "Максим", "Денис",
)  # fmt: skip
_RU_FEMALE = (
    "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Марина", "Светлана", "Анна",
    "Юлия", "Екатерина", "Оксана", "Виктория",
)  # fmt: skip
_RU_FATHERS: tuple[tuple[str, str], ...] = (
    ("Александрович", "Александровна"), ("Сергеевич", "Сергеевна"), ("Андреевич", "Андреевна"),
    ("Викторович", "Викторовна"), ("Игоревич", "Игоревна"), ("Олегович", "Олеговна"),
    ("Владимирович", "Владимировна"), ("Николаевич", "Николаевна"), ("Юрьевич", "Юрьевна"),
    ("Петрович", "Петровна"),
)  # fmt: skip
_RU_LAST = (
    "Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Волков", "Соколов", "Лебедев",
    "Новиков", "Морозов", "Шевченко", "Ткаченко", "Бондаренко", "Ким", "Пак", "Цой", "Тен",
    "Гончаров", "Федоров", "Романенко",
)  # fmt: skip
_OPERATORS = ("701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")


def _feminine(last_name: str) -> str:
    """The feminine form of a surname (Ахметов → Ахметова; Ким, Шевченко stay)."""
    if last_name.endswith(("ов", "ев", "ин", "ын")):
        return last_name + "а"
    if last_name.endswith("ский"):
        return last_name[:-2] + "ая"
    return last_name


@dataclass
class Someone:
    """A made-up person who can be an applicant or a participant of a case."""

    last_name: str
    first_name: str
    patronymic: str
    male: bool
    born: dt.date
    iin: str
    phone: str
    address: str
    language: str

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name} {self.patronymic}"

    @property
    def short_name(self) -> str:
        """Surname and initials, as a fabula names people: 'Ахметов А.С.'."""
        return f"{self.last_name} {self.first_name[0]}.{self.patronymic[0]}."

    def participant(self, status: str) -> dict[str, Any]:
        """Keyword arguments of :func:`tergeu.cases.services.add_participant`."""
        return {
            "status": status,
            "last_name": self.last_name,
            "first_name": self.first_name,
            "patronymic": self.patronymic,
            "iin": self.iin,
            "birth_date": self.born,
            "phone": self.phone,
            "address": self.address,
            "language": self.language,
        }

    def verb(self, masculine: str, feminine: str) -> str:
        """The past-tense verb agreeing with the person's sex (похитил / похитила)."""
        return masculine if self.male else feminine


class People:
    """A source of distinct made-up people; IIN serials never repeat within one seeding."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.serial = 1000

    def phone(self) -> str:
        """A Kazakhstan mobile number, +7 and ten digits."""
        return f"+7{self.rng.choice(_OPERATORS)}{self.rng.randrange(10**7):07d}"

    def person(self, address: str, *, adult_from: int = 18, adult_to: int = 70) -> Someone:
        """A person of either sex and nationality, aged between the two bounds."""
        rng = self.rng
        male = rng.random() < 0.6
        kazakh = rng.random() < 0.7
        if kazakh:
            first = rng.choice(_KZ_MALE if male else _KZ_FEMALE)
            father = rng.choice(_KZ_FATHERS)
            patronymic = father + ("ович" if male else "овна")
            last = rng.choice(_KZ_LAST)
            language = "kk" if rng.random() < 0.45 else "ru"
        else:
            first = rng.choice(_RU_MALE if male else _RU_FEMALE)
            patronymic = rng.choice(_RU_FATHERS)[0 if male else 1]
            last = rng.choice(_RU_LAST)
            language = "ru"
        if not male:
            last = _feminine(last)
        age_days = rng.randrange(adult_from * 365 + 30, adult_to * 365)
        born = self.today - dt.timedelta(days=age_days)
        self.serial += 1
        return Someone(
            last_name=last,
            first_name=first,
            patronymic=patronymic,
            male=male,
            born=born,
            iin=make_iin(born, male, self.serial),
            phone=self.phone(),
            address=address,
            language=language,
        )
