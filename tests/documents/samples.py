"""Valid sample fields for every document type of the catalogue."""

from __future__ import annotations

from typing import Any

_INTERROGATION = {
    "started_at": "2025-03-05T10:05",
    "ended_at": "2025-03-05T11:40",
    "place": "г. Алматы, ул. Желтоксан, 96, каб. 214",
    "testimony_language": "русский",
    "technical_means": "видеозапись (камера Sony HDR)",
    "testimony": "4 марта 2025 года около 18 часов я находился в ТЦ «Мега».",
    "questions": "Вопрос: Видели ли вы лицо? Ответ: Нет.",
}


def sample_fields(code: str, people: dict[str, str]) -> dict[str, Any]:
    """A complete, valid set of fields of type ``code``."""
    samples: dict[str, dict[str, Any]] = {
        "resolution_acceptance": {"established": "Дело передано по подследственности."},
        "resolution_electronic_format": {"grounds": "Имеется техническая возможность."},
        "resolution_paper_format": {"grounds": "Сбой информационной системы."},
        "resolution_victim": {
            "participant": people["victim"],
            "harm": "property",
            "harm_description": "Похищен телефон стоимостью 350 000 тенге.",
            "established": "4 марта 2025 года неустановленное лицо похитило телефон.",
        },
        "resolution_defender_appointment": {
            "participant": people["suspect"],
            "detained_at": "2025-03-05T09:30",
            "grounds": "Подозреваемый не владеет языком судопроизводства (п. 4 ч. 1 ст. 67 УПК).",
        },
        "resolution_qualification": {
            "participant": people["suspect"],
            "offence_description": "4 марта 2025 года около 18 часов тайно похитил телефон.",
            "cc_article": "188",
            "cc_part": "2",
            "cc_paragraph": "1",
        },
        "resolution_interruption": {
            "ground": "1",
            "interrupted_from": "2025-05-03",
            "established": "Лицо, совершившее преступление, не установлено.",
        },
        "resolution_resumption": {
            "resumed_from": "2025-06-10",
            "established": "Установлено лицо, совершившее преступление.",
        },
        "resolution_termination": {
            "ground": "35_1_2",
            "participant": people["suspect"],
            "established": "Деяние не содержит состава уголовного правонарушения.",
            "measures_cancelled": "подписка о невыезде",
            "evidence_disposal": "телефон вернуть владельцу",
        },
        "protocol_interrogation_victim": {**_INTERROGATION, "participant": people["victim"]},
        "protocol_interrogation_witness": {
            **_INTERROGATION,
            "participant": people["witness"],
            "relation": "не знакома",
        },
        "protocol_interrogation_suspect": {
            **_INTERROGATION,
            "participant": people["suspect"],
            "defender": "адвокат Абенов С.К.",
            "prior_convictions": "не судим",
            "guilt_plea": "partial",
        },
        "protocol_scene_inspection": {
            "started_at": "2025-03-04T19:10",
            "ended_at": "2025-03-04T20:25",
            "place": "г. Алматы, пр. Розыбакиева, 247А, ТЦ «Мега», 2 этаж",
            "other_participants": "специалист-криминалист Оспанов Т.Н.",
            "conditions": "в помещении, искусственное освещение",
            "description": "Осматриваемое помещение расположено на втором этаже.",
            "seized": "след руки на отрезке дактилоплёнки",
        },
        "summons": {
            "participant": people["witness"],
            "capacity": "witness",
            "purpose": "для допроса",
            "appear_at": "2025-03-12T10:00",
            "address": "г. Алматы, ул. Желтоксан, 96",
            "room": "214",
            "official": "следователь Ахметов Данияр Серикович",
            "contacts": "+77012345678, akhmetov@police.kz",
        },
        "request_term_extension": {
            "addressee": "district_prosecutor",
            "term_expires": "2025-05-03",
            "extend_by_months": 1,
            "total_months": 3,
            "extend_until": "2025-06-03",
            "grounds": "Необходимо получить заключение экспертизы.",
            "done": "Допрошены потерпевший и свидетели.",
            "planned": "Получить заключение эксперта.",
        },
    }
    return samples[code]
