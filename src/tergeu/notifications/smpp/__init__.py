"""SMS over SMPP 3.4: the transport (:mod:`.transport`), its PDUs (:mod:`.pdu`), text
encoding (:mod:`.encoding`), delivery receipts (:mod:`.receipts`) and a small SMSC for
development and tests (:mod:`.testsmsc`). See docs/sms.md."""
