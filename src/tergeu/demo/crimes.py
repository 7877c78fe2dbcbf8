"""Kinds of offences in the demo, each with its qualification and fabula templates.

A :class:`Scenario` is one way an offence of an article happens; its ``ru`` (and, for some,
``kk``) function writes the fabula from a :class:`Ctx` of random details, so no two
reports read the same. Qualifications are checked against the Code when the case is
registered (:func:`tergeu.qualification.services.resolve`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from tergeu.accounts.models import OrgKind
from tergeu.intake.models import Source

from .people import Someone
from .reference import RegionSpec

_KK_MONTHS = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip

#: (accusative in Russian, Kazakh, lowest and highest price in tenge)
ITEMS = (
    ("мобильный телефон iPhone 13", "iPhone 13 ұялы телефонын", 180_000, 320_000),
    ("мобильный телефон Samsung Galaxy A54", "Samsung Galaxy A54 ұялы телефонын", 90_000, 160_000),
    ("ноутбук Lenovo IdeaPad", "Lenovo IdeaPad ноутбугын", 150_000, 300_000),
    ("велосипед Stels Navigator", "Stels Navigator велосипедін", 60_000, 140_000),
    ("золотые ювелирные изделия", "алтын әшекей бұйымдарын", 200_000, 900_000),
    ("планшет Apple iPad", "Apple iPad планшетін", 150_000, 350_000),
    ("электросамокат Xiaomi", "Xiaomi электросамокатын", 120_000, 250_000),
    ("сумку с документами", "құжаттар салынған сөмкесін", 40_000, 200_000),
)  # fmt: skip
CAR_ITEMS = ("автомагнитолу Pioneer", "видеорегистратор", "сумку с ноутбуком", "детское автокресло")
CARS = (
    "Toyota Camry", "Hyundai Accent", "Chevrolet Cobalt", "Lada Granta", "Kia Rio",
    "Toyota Land Cruiser Prado", "Volkswagen Polo", "Hyundai Tucson", "Chevrolet Nexia",
)  # fmt: skip
BANKS = ("Kaspi.kz", "Halyk Homebank", "Freedom Bank", "Jusan", "Bank RBK")
SITES = ("Kolesa.kz", "Krisha.kz", "OLX.kz", "Market.kz")
GOODS = (
    "автомобиля Toyota Camry", "смартфона iPhone 14 Pro", "посудомоечной машины Bosch",
    "щенка породы хаски", "строительных материалов", "путёвки в Анталью",
)  # fmt: skip
CAFES = ("Дастархан", "Алаша", "Жеруйык", "Шымкент", "Коктем", "Нур", "Достар")
MALLS = {
    "75": ("MEGA Alma-Ata", "Dostyk Plaza", "Спутник"),
    "71": ("Хан Шатыр", "Керуен", "Mega Silk Way"),
}
MARKETS = {"75": ("Барахолка", "Зеленый базар"), "71": ("Шапагат", "Артём")}
PLATE_REGION = {"75": "02", "71": "01"}
AGENCIES = (
    "отдела земельных отношений акимата района",
    "управления государственных доходов",
    "отдела архитектуры и градостроительства",
    "департамента миграционной службы",
    "управления санитарно-эпидемиологического контроля",
)
POSITIONS = ("главный специалист", "руководитель сектора", "инспектор", "заместитель руководителя")
PURPOSES = (
    "ускорение выдачи разрешения на строительство",
    "положительное решение вопроса о предоставлении земельного участка",
    "непривлечение к административной ответственности",
    "выдачу справки без проведения проверки",
    "беспрепятственную приёмку объекта в эксплуатацию",
)
COMPANIES = (
    "ТОО «Алтын Дала Строй»", "ТОО «KazTrans Logistic»", "ТОО «Береке Агро»",
    "АО «Астана Сервис»", "ТОО «Samal Trade»", "ТОО «Жетысу Курылыс»",
)  # fmt: skip
DRUGS = (
    ("вещество растительного происхождения, предположительно марихуана", 12, 95),
    ("порошкообразное вещество белого цвета, предположительно мефедрон", 1, 9),
    ("спрессованное вещество тёмно-коричневого цвета, предположительно гашиш", 3, 40),
)


@dataclass
class Ctx:
    """The random details one fabula is written from."""

    rng: random.Random
    at: dt.datetime  # the offence, local time
    region: RegionSpec
    address: str
    victim: Someone
    suspect: Someone
    address_kk: str = ""

    @property
    def date(self) -> str:
        return f"{self.at:%d.%m.%Y}"

    @property
    def time(self) -> str:
        return f"{self.at:%H:%M}"

    @property
    def earlier(self) -> str:
        """A date a few days or weeks before the offence, for offences over a period."""
        return f"{self.at - dt.timedelta(days=self.rng.randint(2, 60)):%d.%m.%Y}"

    @property
    def kk_date(self) -> str:
        return f"{self.at.year} жылғы {self.at.day} {_KK_MONTHS[self.at.month - 1]}"

    def money(self, low: int, high: int) -> str:
        """A sum in tenge, rounded to 500, written with thin groups: '125 500'."""
        value = self.rng.randrange(low // 500, high // 500 + 1) * 500
        return f"{value:,}".replace(",", " ")

    def pick(self, options: tuple[str, ...]) -> str:
        return self.rng.choice(options)

    def item(self) -> tuple[str, str, str]:
        """A stolen thing: (Russian, Kazakh, its value)."""
        ru, kk, low, high = self.rng.choice(ITEMS)
        return ru, kk, self.money(low, high)

    def phone(self) -> str:
        """A mobile number as people write it: '+7 747 123 45 67'."""
        r = self.rng
        operator = r.choice(("700", "701", "702", "705", "707", "747", "771", "775", "777"))
        return f"+7 {operator} {r.randint(100, 999)} {r.randint(10, 99)} {r.randint(10, 99)}"

    def plate(self) -> str:
        letters = "".join(self.rng.choice("ABCEHKMOPTXY") for _ in range(3))
        return f"{self.rng.randint(100, 999)} {letters} {PLATE_REGION[self.region.code]}"


Text = Callable[[Ctx], str]


@dataclass(frozen=True)
class Scenario:
    """One way an offence happens: its qualification, who investigates, how it is told."""

    key: str
    article: str
    part: str
    paragraph: str
    body: OrgKind
    weight: float
    grave: bool  # preliminary investigation (else inquiry, CPC art. 191)
    suspect_known: float  # chance that the offender is known or found
    victim: bool  # the applicant is the victim
    sources: tuple[tuple[str, float], ...]
    ru: Text
    kk: Text | None = None


_CITIZEN = ((Source.IN_PERSON, 0.5), (Source.ELECTRONIC, 0.3), (Source.PHONE, 0.2))
_OFFICER = ((Source.OFFICER, 1.0),)


def _theft_public(c: Ctx) -> str:
    ru, _kk, value = c.item()
    place = c.pick(
        (
            f"в торговом зале ТРЦ «{c.pick(MALLS[c.region.code])}»",
            f"в салоне автобуса маршрута № {c.rng.randint(2, 120)}",
            f"на территории рынка «{c.pick(MARKETS[c.region.code])}»",
            f"в раздевалке фитнес-клуба по адресу: {c.address}",
        )
    )
    return (
        f"{c.date} около {c.time} неустановленное лицо, находясь {place}, тайно похитило "
        f"принадлежащий заявителю {ru}, причинив материальный ущерб на сумму {value} тенге."
    )


def _theft_public_kk(c: Ctx) -> str:
    _ru, kk, value = c.item()
    return (
        f"{c.kk_date} күні сағат {c.time} шамасында белгісіз тұлға {c.address_kk} мекенжайында "
        f"арызданушыға тиесілі {kk} жасырын түрде ұрлап, {value} теңге көлемінде материалдық "
        "залал келтірген."
    )


def _theft_flat(c: Ctx) -> str:
    ru, _kk, value = c.item()
    how = c.pick(("путём подбора ключа", "взломав замок входной двери", "через открытое окно"))
    return (
        f"В период с {c.earlier} по {c.date} неустановленное лицо {how} незаконно проникло в "
        f"квартиру по адресу: {c.address}, откуда тайно похитило {ru} стоимостью {value} тенге "
        f"и денежные средства в сумме {c.money(20_000, 400_000)} тенге, принадлежащие "
        "заявителю, причинив значительный ущерб."
    )


def _theft_car(c: Ctx) -> str:
    return (
        f"{c.date} около {c.time} неустановленное лицо, разбив стекло автомашины "
        f"{c.pick(CARS)} с государственным регистрационным номером {c.plate()}, "
        f"припаркованной по адресу: {c.address}, незаконно проникло в салон и тайно похитило "
        f"{c.pick(CAR_ITEMS)} стоимостью {c.money(30_000, 250_000)} тенге."
    )


def _theft_card(c: Ctx) -> str:
    return (
        f"{c.date} неустановленное лицо, получив доступ к мобильному приложению "
        f"«{c.pick(BANKS)}» заявителя, тайно похитило с его банковского счёта денежные "
        f"средства в сумме {c.money(50_000, 900_000)} тенге путём перевода на сторонний счёт."
    )


def _fraud_call(c: Ctx) -> str:
    return (
        f"{c.date} неустановленное лицо, позвонив заявителю с номера {c.phone()} и "
        "представившись сотрудником службы безопасности банка, путём обмана убедило его "
        f"сообщить код из SMS-сообщения, после чего со счёта заявителя в «{c.pick(BANKS)}» "
        f"были похищены денежные средства в сумме {c.money(80_000, 1_500_000)} тенге."
    )


def _fraud_site(c: Ctx) -> str:
    return (
        f"{c.date} неустановленное лицо, разместив на сайте «{c.pick(SITES)}» ложное "
        f"объявление о продаже {c.pick(GOODS)}, путём обмана получило от заявителя "
        f"предоплату в сумме {c.money(50_000, 700_000)} тенге на карту «{c.pick(BANKS)}», "
        "после чего перестало выходить на связь."
    )


def _fraud_site_kk(c: Ctx) -> str:
    _ru, kk, value = c.item()
    return (
        f"{c.kk_date} күні арызданушы Instagram әлеуметтік желісіндегі «{c.pick(CAFES)} shop» "
        f"парақшасы арқылы {kk} сатып алу үшін {c.pick(BANKS)} картасына {value} теңге "
        "аударған, алайда тауар жеткізілмеген, сатушы байланысқа шықпайды."
    )


def _fraud_job(c: Ctx) -> str:
    s = c.suspect
    where = c.pick(("АО «КазМунайГаз»", "органы внутренних дел", "международный аэропорт"))
    return (
        f"В период с {c.earlier} по {c.date} гр. {s.full_name}, злоупотребляя доверием "
        f"заявителя, под предлогом содействия в трудоустройстве в {where} "
        f"{s.verb('получил', 'получила')} от него денежные средства в сумме "
        f"{c.money(300_000, 2_000_000)} тенге, обязательства не {s.verb('выполнил', 'выполнила')}, "
        f"деньги не {s.verb('вернул', 'вернула')}."
    )


def _fraud_invest(c: Ctx) -> str:
    s = c.suspect
    return (
        f"В период с {c.earlier} по {c.date} гр. {s.full_name} под предлогом "
        "инвестирования в криптовалюту с ежемесячной доходностью 20 % "
        f"{s.verb('получил', 'получила')} от заявителя и других граждан денежные средства "
        # Large (art. 190(3)): over 1,000 MCI and not over 4,000 (CC art. 3 items 38 and 3).
        f"на общую сумму {c.money(5_000_000, 16_000_000)} тенге, которые похитил"
        f"{s.verb('', 'а')}, причинив ущерб в крупном размере."
    )


def _robbery(c: Ctx) -> str:
    ru, _kk, value = c.item()
    return (
        f"{c.date} около {c.time} неустановленное лицо возле дома по адресу: {c.address} "
        f"открыто похитило у заявителя {ru}, после чего с места преступления скрылось. "
        f"Ущерб составил {value} тенге."
    )


def _robbery_force(c: Ctx) -> str:
    ru, _kk, value = c.item()
    return (
        f"{c.date} около {c.time} двое неизвестных в подъезде дома по адресу: {c.address}, "
        "применив к заявителю насилие, не опасное для жизни и здоровья, открыто похитили "
        f"{ru} стоимостью {value} тенге и денежные средства в сумме "
        f"{c.money(10_000, 150_000)} тенге."
    )


def _hooligan(c: Ctx) -> str:
    s = c.suspect
    return (
        f"{c.date} около {c.time} в кафе «{c.pick(CAFES)}» по адресу: {c.address} "
        f"гр. {s.full_name}, находясь в состоянии алкогольного "
        "опьянения, грубо нарушая общественный порядок и выражая явное неуважение к обществу, "
        f"беспричинно {s.verb('нанёс', 'нанесла')} удары посетителю кафе (заявителю) и "
        f"{s.verb('повредил', 'повредила')} имущество заведения."
    )


def _hooligan_kk(c: Ctx) -> str:
    s = c.suspect
    return (
        f"{c.kk_date} күні сағат {c.time} шамасында {c.address_kk} мекенжайындағы "
        f"«{c.pick(CAFES)}» дәмханасында {s.full_name} мас күйінде қоғамдық тәртіпті өрескел "
        "бұзып, себепсіз арызданушыға күш көрсеткен және мекеменің мүлкін бүлдірген."
    )


def _hooligan_group(c: Ctx) -> str:
    mall = c.pick(MALLS[c.region.code])
    return (
        f"{c.date} около {c.time} на парковке ТРЦ «{mall}» группа из трёх молодых людей, "
        "грубо нарушая общественный порядок, беспричинно избила заявителя и повредила "
        f"его автомашину {c.pick(CARS)} с государственным номером {c.plate()}."
    )


def _harm_medium(c: Ctx) -> str:
    s = c.suspect
    return (
        f"{c.date} около {c.time} по адресу: {c.address} в ходе ссоры на бытовой почве "
        f"гр. {s.full_name} {s.verb('нанёс', 'нанесла')} заявителю несколько ударов по лицу "
        "и телу, причинив, согласно заключению судебно-медицинской экспертизы, вред здоровью "
        "средней тяжести."
    )


def _harm_grave(c: Ctx) -> str:
    s = c.suspect
    return (
        f"{c.date} около {c.time} во дворе дома по адресу: {c.address} гр. {s.full_name} в "
        f"ходе ссоры {s.verb('нанёс', 'нанесла')} заявителю удар ножом в область живота, "
        "причинив тяжкий вред здоровью, опасный для жизни. Потерпевший госпитализирован в "
        f"городскую клиническую больницу № {c.rng.randint(1, 7)}."
    )


def _road_pedestrian(c: Ctx) -> str:
    s = c.suspect
    a, b = c.rng.sample(c.region.streets, 2)
    return (
        f"{c.date} около {c.time} на пересечении {a} и {b} в г. {c.region.city_ru} водитель "
        f"автомашины {c.pick(CARS)} с государственным номером {c.plate()} гр. {s.full_name}, "
        f"нарушив требования п. {c.pick(('10.1', '14.1', '14.2', '6.2'))} Правил дорожного "
        f"движения, {s.verb('совершил', 'совершила')} наезд на пешехода, переходившего "
        "проезжую часть по пешеходному переходу. Пешеход с тяжкими телесными повреждениями "
        f"доставлен в городскую клиническую больницу № {c.rng.randint(1, 7)}."
    )


def _road_death(c: Ctx) -> str:
    s = c.suspect
    car, other = c.rng.sample(CARS, 2)
    return (
        f"{c.date} около {c.time} на {c.pick(c.region.streets)} в г. {c.region.city_ru} "
        f"водитель автомашины {car} с государственным номером {c.plate()} гр. {s.full_name}, "
        f"превысив скорость и выехав на полосу встречного движения, "
        f"{s.verb('совершил', 'совершила')} столкновение с автомашиной {other}. "
        f"В результате ДТП пассажир автомашины {other} скончался на месте происшествия."
    )


def _drugs(c: Ctx) -> str:
    s = c.suspect
    what, low, high = c.rng.choice(DRUGS)
    mass = f"{c.rng.uniform(low, high):.2f}".replace(".", ",")
    return (
        f"{c.date} около {c.time} в ходе патрулирования возле дома по адресу: {c.address} "
        f"сотрудниками патрульной полиции {s.verb('задержан', 'задержана')} гр. {s.full_name}, "
        f"у {s.verb('которого', 'которой')} при личном досмотре обнаружено и изъято {what}, "
        f"массой {mass} г."
    )


def _drugs_large(c: Ctx) -> str:
    s = c.suspect
    return (
        f"{c.date} около {c.time} при досмотре автомашины {c.pick(CARS)} с государственным "
        f"номером {c.plate()} под управлением гр. {s.full_name} в багажнике обнаружены и "
        "изъяты полимерные свёртки с веществом растительного происхождения, предположительно "
        f"марихуаной, общей массой {c.rng.randint(1100, 6000)} г."
    )


def _bribe_taken(c: Ctx) -> str:
    s = c.suspect
    city = c.region.ru_dat
    return (
        f"{c.date} около {c.time} сотрудниками Департамента Агентства по противодействию "
        f"коррупции по {city} в служебном кабинете по адресу: {c.address} "
        f"{s.verb('задержан', 'задержана')} {c.pick(POSITIONS)} {c.pick(AGENCIES)} "
        f"{s.full_name} при получении от заявителя взятки в сумме {c.money(300_000, 3_000_000)} "
        f"тенге за {c.pick(PURPOSES)}. Ранее {s.verb('он', 'она')} "
        f"{s.verb('вымогал', 'вымогала')} у заявителя указанную сумму."
    )


def _bribe_given(c: Ctx) -> str:
    s = c.suspect
    return (
        f"{c.date} гр. {s.full_name} {s.verb('передал', 'передала')} инспектору "
        f"{c.pick(AGENCIES)} взятку в сумме {c.money(50_000, 400_000)} тенге за "
        f"{c.pick(PURPOSES)}. Инспектор от взятки отказался и сообщил о факте в "
        "антикоррупционную службу; передача денег задокументирована."
    )


def _embezzle(c: Ctx) -> str:
    s = c.suspect
    return (
        f"В период с {c.earlier} по {c.date} бухгалтер {c.pick(COMPANIES)} {s.full_name}, "
        f"используя служебное положение, {s.verb('присвоил', 'присвоила')} вверенные "
        f"{s.verb('ему', 'ей')} денежные средства предприятия в сумме "
        f"{c.money(2_000_000, 6_000_000)} тенге, перечислив их на личные банковские счета под "
        "видом выплаты заработной платы."
    )


def _embezzle_large(c: Ctx) -> str:
    s = c.suspect
    return (
        f"В период с {c.earlier} по {c.date} директор филиала {c.pick(COMPANIES)} "
        f"{s.full_name} {s.verb('растратил', 'растратила')} вверенные "
        f"{s.verb('ему', 'ей')} товарно-материальные ценности на сумму "
        f"{c.money(12_000_000, 60_000_000)} тенге, реализовав их третьим лицам, что "
        "составляет крупный размер."
    )


_WEB = ((Source.IN_PERSON, 0.6), (Source.ELECTRONIC, 0.4))
_ROAD = ((Source.IN_PERSON, 0.6), (Source.OFFICER, 0.4))
_DESK = ((Source.IN_PERSON, 1.0),)


def _s(
    key: str,
    qualification: str,
    body: OrgKind,
    weight: float,
    grave: bool,
    suspect_known: float,
    victim: bool,
    sources: tuple[tuple[str, float], ...],
    ru: Text,
    kk: Text | None = None,
) -> Scenario:
    """A scenario; ``qualification`` is 'article.part.paragraph' (parts may be empty)."""
    article, part, paragraph = ([*qualification.split("."), "", ""])[:3]
    return Scenario(
        key, article, part, paragraph, body, weight, grave, suspect_known, victim, sources, ru, kk
    )


P, AC, EC = OrgKind.POLICE, OrgKind.ANTICORRUPTION, OrgKind.ECONOMIC
#: key, article.part.paragraph, body, weight, grave, suspect known, victim, sources, texts
SCENARIOS: tuple[Scenario, ...] = (
    _s("theft", "188.1", P, 13, False, 0.3, True, _CITIZEN, _theft_public, _theft_public_kk),
    _s("theft", "188.3.3", P, 8, True, 0.35, True, _CITIZEN, _theft_flat),
    _s("theft", "188.3.3", P, 4, True, 0.3, True, _CITIZEN, _theft_car),
    _s("theft", "188.2.4", P, 5, True, 0.2, True, _CITIZEN, _theft_card),
    _s("fraud", "190.2.4", P, 7, True, 0.15, True, _CITIZEN, _fraud_call),
    _s("fraud", "190.2.4", P, 6, True, 0.25, True, _CITIZEN, _fraud_site, _fraud_site_kk),
    _s("fraud", "190.1", P, 3, False, 1.0, True, _CITIZEN, _fraud_job),
    _s("fraud", "190.3.1", P, 2, True, 1.0, True, _CITIZEN, _fraud_invest),
    _s("robbery", "191.1", P, 5, True, 0.4, True, _CITIZEN, _robbery),
    _s("robbery", "191.2.1", P, 3, True, 0.4, True, _CITIZEN, _robbery_force),
    _s("hooliganism", "293.1", P, 5, False, 1.0, True, _CITIZEN, _hooligan, _hooligan_kk),
    _s("hooliganism", "293.2.1", P, 2, True, 0.6, True, _CITIZEN, _hooligan_group),
    _s("harm", "107.1", P, 5, False, 1.0, True, _CITIZEN, _harm_medium),
    _s("harm", "106.1", P, 3, True, 1.0, True, _CITIZEN, _harm_grave),
    _s("road", "345.2", P, 5, True, 1.0, True, _ROAD, _road_pedestrian),
    _s("road", "345.3", P, 2, True, 1.0, True, _OFFICER, _road_death),
    _s("drugs", "296.2", P, 6, False, 1.0, False, _OFFICER, _drugs),
    _s("drugs", "296.3", P, 2, True, 1.0, False, _OFFICER, _drugs_large),
    _s("bribery", "366.3.1", AC, 4, True, 1.0, False, _WEB, _bribe_taken),
    _s("bribery", "367.1", AC, 2, True, 1.0, False, _OFFICER, _bribe_given),
    _s("embezzlement", "189.2.3", EC, 4, True, 1.0, False, _WEB, _embezzle),
    _s("embezzlement", "189.3.1", EC, 2, True, 1.0, False, _DESK, _embezzle_large),
)

#: KUI reports decided otherwise than by registration: (text, reason) pairs.
INCIDENT_REASONS = (
    "В ходе проверки установлено, что имущество не похищалось: заявитель оставил его у "
    "знакомых и впоследствии забрал. Признаки уголовного правонарушения отсутствуют.",
    "Заявитель сообщил, что телефон был утерян, а не похищен, и найден. Признаки уголовного "
    "правонарушения отсутствуют.",
    "Пропавший родственник вернулся домой; признаки уголовного правонарушения отсутствуют.",
)
ADMINISTRATIVE_TEXTS = (
    "Соседи из квартиры по адресу: {address} в ночное время громко слушают музыку, на "
    "замечания выражаются нецензурной бранью.",
    "Неизвестный мужчина в состоянии опьянения выражался нецензурной бранью в подъезде дома "
    "по адресу: {address}, приставал к жильцам.",
    "Водитель такси по адресу: {address} оскорбил заявителя и отказался вернуть сдачу в "
    "сумме 2 000 тенге.",
)
ADMINISTRATIVE_REASON = (
    "Усматриваются признаки административного правонарушения (ст. 434 КоАП РК, мелкое "
    "хулиганство); материал передан в административную полицию (ст. 179 ч. 4 УПК РК)."
)
REFERRAL_REASON = (
    "Сведения относятся к подследственности {body} (ст. 187 УПК РК); сообщение передано "
    "по подследственности (ст. 181 ч. 5 УПК РК)."
)


def weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """One of the options, chosen with their weights."""
    return rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]
