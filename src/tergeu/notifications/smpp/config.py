"""The SMPP settings, read from the environment (``TERGEU_SMPP_*``, docs/sms.md)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from tergeu.settings.env import env_bool, env_int, env_str

BIND_MODES = ("transceiver", "transmitter")


@dataclass(frozen=True)
class SmppConfig:
    """Where the SMSC is, how to bind to it and how fast to send."""

    host: str
    port: int = 2775
    system_id: str = ""
    password: str = ""
    system_type: str = ""
    #: The sender shown on the phone: letters make it alphanumeric (TON 5), digits a number.
    source_addr: str = "Tergeu"
    #: ``transceiver``: send and receive receipts on one session; ``transmitter``: send only
    #: (receipts then need a receiver session, :func:`.receipts.start_receipt_listener`).
    bind: str = "transceiver"
    #: Most submit_sm awaiting their submit_sm_resp at once.
    window: int = 10
    #: Most submit_sm per second (0: no limit beyond the window).
    throughput: float = 0.0
    tls: bool = False
    tls_ca_file: str = ""
    connect_timeout: float = 10.0
    response_timeout: float = 10.0
    enquire_link_interval: float = 30.0
    #: Ask the SMSC for delivery receipts (registered_delivery 1).
    receipts: bool = True
    #: How long a receipt for an id not yet recorded waits before it is refused (the SMSC
    #: then re-sends it later).
    receipt_wait: float = 30.0

    def __post_init__(self) -> None:
        if self.bind not in BIND_MODES:
            raise ValueError(f"TERGEU_SMPP_BIND must be one of {BIND_MODES}, not {self.bind!r}")
        if self.window < 1:
            raise ValueError("TERGEU_SMPP_WINDOW must be at least 1")

    @classmethod
    def from_env(cls) -> SmppConfig:
        """The settings of ``TERGEU_SMPP_*`` (an empty host means SMS is not configured).

        A Django setting of the same name (e.g. a test's override) wins over the variable.
        """
        return cls(**{**cls._from_environment(), **_overrides()})

    @classmethod
    def _from_environment(cls) -> dict[str, Any]:
        return {
            "host": env_str("TERGEU_SMPP_HOST", ""),
            "port": env_int("TERGEU_SMPP_PORT", 2775),
            "system_id": env_str("TERGEU_SMPP_SYSTEM_ID", ""),
            "password": env_str("TERGEU_SMPP_PASSWORD", ""),
            "system_type": env_str("TERGEU_SMPP_SYSTEM_TYPE", ""),
            "source_addr": env_str("TERGEU_SMPP_SOURCE_ADDR", "Tergeu"),
            "bind": env_str("TERGEU_SMPP_BIND", "transceiver").strip().lower(),
            "window": env_int("TERGEU_SMPP_WINDOW", 10),
            "throughput": float(env_str("TERGEU_SMPP_THROUGHPUT", "0") or 0),
            "tls": env_bool("TERGEU_SMPP_TLS", False),
            "tls_ca_file": env_str("TERGEU_SMPP_TLS_CA_FILE", ""),
            "connect_timeout": float(env_int("TERGEU_SMPP_CONNECT_TIMEOUT", 10)),
            "response_timeout": float(env_int("TERGEU_SMPP_RESPONSE_TIMEOUT", 10)),
            "enquire_link_interval": float(env_int("TERGEU_SMPP_ENQUIRE_LINK", 30)),
            "receipts": env_bool("TERGEU_SMPP_RECEIPTS", True),
            "receipt_wait": float(env_int("TERGEU_SMPP_RECEIPT_WAIT", 30)),
        }


def _overrides() -> dict[str, Any]:
    """Fields set as Django settings ``TERGEU_SMPP_<FIELD>``."""
    from django.conf import settings

    found = {}
    if settings.configured:
        for f in fields(SmppConfig):
            value = getattr(settings, f"TERGEU_SMPP_{f.name.upper()}", None)
            if value is not None:
                found[f.name] = value
    return found
