"""PDU layouts as SMPP 3.4 draws them, and texts as GSM-7 or UCS-2 parts."""

from __future__ import annotations

import pytest

from tergeu.notifications.smpp import pdu as P
from tergeu.notifications.smpp.encoding import (
    DC_DEFAULT,
    DC_UCS2,
    decode_text,
    encode,
    gsm7_encode,
    reference_for,
    split_udh,
)
from tergeu.notifications.smpp.receipts import id_forms, parse_receipt


def test_a_submit_sm_has_the_layout_of_section_4_4_1() -> None:
    sm = P.ShortMessage(
        destination_addr="77012345678",
        source_addr="Tergeu",
        source_addr_ton=5,
        data_coding=DC_UCS2,
        registered_delivery=1,
        short_message="Сәлем".encode("utf-16-be"),
    )
    raw = P.Pdu(P.SUBMIT_SM, 0, 7, sm.encode()).encode()
    assert raw[:16] == bytes.fromhex("0000003c000000040000000000000007")
    assert raw[16:] == (
        b"\x00" + b"\x05\x00Tergeu\x00" + b"\x01\x0177012345678\x00"
        b"\x00\x00\x00" + b"\x00\x00" + b"\x01\x00\x08\x00\x0a" + "Сәлем".encode("utf-16-be")
    )
    back = P.ShortMessage.decode(P.decode(raw).body)
    assert back == sm


def test_tlvs_are_read_after_the_short_message() -> None:
    sm = P.ShortMessage(
        destination_addr="1",
        esm_class=P.ESM_RECEIPT,
        short_message=b"id:5 stat:DELIVRD",
        tlvs={P.TLV_RECEIPTED_MESSAGE_ID: b"5\x00", P.TLV_MESSAGE_STATE: b"\x02"},
    )
    assert P.ShortMessage.decode(sm.encode()).tlvs == sm.tlvs


def test_a_bind_round_trips() -> None:
    bind = P.Bind("tergeu", "secret", "SMS")
    assert bind.encode() == b"tergeu\x00secret\x00SMS\x00\x34\x00\x00\x00"
    assert P.Bind.decode(bind.encode()) == bind


def test_latin_text_is_gsm7_with_the_extension_table_in_two_septets() -> None:
    assert gsm7_encode("A{€}@") == b"\x41\x1b\x28\x1b\x65\x1b\x29\x00"
    encoded = encode("Your report K-1 [2026] is registered.", "m1")
    assert encoded.data_coding == DC_DEFAULT
    assert encoded.esm_class == 0
    assert decode_text(encoded.parts[0], DC_DEFAULT) == "Your report K-1 [2026] is registered."


@pytest.mark.parametrize(
    "text", ["Арызыңыз тіркелді", "Ә Ғ Қ Ң Ө Ұ Ү Һ І ә ғ қ ң ө ұ ү һ і", "Ваше заявление"]
)
def test_cyrillic_and_kazakh_are_ucs2(text: str) -> None:
    encoded = encode(text, "m1")
    assert encoded.data_coding == DC_UCS2
    assert encoded.parts == [text.encode("utf-16-be")]


def test_160_septets_fit_one_sms_161_need_two_parts_of_153() -> None:
    assert len(encode("x" * 160, "m").parts) == 1
    parts = encode("x" * 161, "m").parts
    assert [len(p) for p in parts] == [6 + 153, 6 + 8]


def test_an_escape_pair_is_never_cut_between_parts() -> None:
    text = "x" * 152 + "€" + "y" * 10
    encoded = encode(text, "m")
    first = split_udh(encoded.parts[0])[1]
    assert first == b"x" * 152  # the euro's two septets would not fit: next part
    joined = "".join(decode_text(split_udh(p)[1], DC_DEFAULT) for p in encoded.parts)
    assert joined == text


def test_long_kazakh_text_is_numbered_parts_with_one_reference() -> None:
    text = "Сіздің арызыңыз Бірыңғай тізілімде тіркелді. " * 5
    encoded = encode(text, "message-42")
    assert encoded.data_coding == DC_UCS2
    assert encoded.esm_class == 0x40
    ref = reference_for("message-42")
    total = len(encoded.parts)
    assert total == -(-len(text) // 67)
    for seq, part in enumerate(encoded.parts, start=1):
        assert part[:6] == bytes([5, 0, 3, ref, total, seq])
        assert len(part) <= 140
    assert "".join(decode_text(split_udh(p)[1], DC_UCS2) for p in encoded.parts) == text


def test_a_surrogate_pair_is_never_cut() -> None:
    text = "ы" * 66 + "😀" + "ы" * 5
    parts = encode(text, "m").parts
    assert "".join(decode_text(split_udh(p)[1], DC_UCS2) for p in parts) == text


def _receipt(text: str, tlvs: dict[int, bytes] | None = None) -> P.ShortMessage:
    return P.ShortMessage(
        destination_addr="Tergeu",
        esm_class=P.ESM_RECEIPT,
        short_message=text.encode(),
        tlvs=tlvs or {},
    )


def test_a_receipt_takes_its_id_from_the_tlv_first() -> None:
    sm = _receipt(
        "id:0000ABCD sub:001 dlvrd:001 submit date:2611281200 done date:2611281201 "
        "stat:DELIVRD err:000 text:Your report",
        {P.TLV_RECEIPTED_MESSAGE_ID: b"abcd\x00"},
    )
    receipt = parse_receipt(sm)
    assert receipt is not None
    assert (receipt.message_id, receipt.stat, receipt.delivered) == ("abcd", "DELIVRD", True)


def test_a_receipt_without_the_tlv_gives_the_id_of_its_text() -> None:
    sm = _receipt(
        "id:1234567 sub:001 dlvrd:000 submit date:2611281200 done date:2611281201 "
        "stat:UNDELIV err:011 text:stat:DELIVRD fake"
    )
    receipt = parse_receipt(sm)
    assert receipt is not None
    assert (receipt.message_id, receipt.stat, receipt.delivered) == ("1234567", "UNDELIV", False)
    assert "err:011" in receipt.error


def test_field_names_in_capitals_are_read_too() -> None:
    sm = _receipt(
        "ID:77 SUB:001 DLVRD:001 SUBMIT DATE:2611281200 DONE DATE:2611281201 "
        "STAT:DELIVRD ERR:000 Text:stat:UNDELIV"
    )
    receipt = parse_receipt(sm)
    assert receipt is not None
    assert (receipt.message_id, receipt.stat) == ("77", "DELIVRD")


def test_a_mobile_originated_text_is_not_a_receipt() -> None:
    sm = P.ShortMessage(destination_addr="Tergeu", short_message=b"id:1 stat:DELIVRD")
    assert parse_receipt(sm) is None


def test_ids_are_tried_in_the_other_base() -> None:
    assert id_forms("255") == ["255", "ff", "FF", "597"]
    assert id_forms("5F5E101") == ["5F5E101", "100000001"]
