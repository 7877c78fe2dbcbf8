"""The contract between the delivery worker and the peers that carry messages.

A transport is opened once for a batch, sends messages one by one and is closed; it
raises :class:`TransientError` for a failure worth retrying and :class:`PermanentError`
for one that never goes away. :func:`transport_for` builds the configured transport of a
channel: e-mail over SMTP (:mod:`.email`, ``TERGEU_SMTP_*``), SMS over SMPP (the class
named by ``TERGEU_SMS_TRANSPORT``, ``TERGEU_SMPP_*``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from .models import Message

#: The default transports of each channel (``TERGEU_SMS_TRANSPORT`` overrides SMS).
EMAIL_TRANSPORT = "tergeu.notifications.email.SmtpTransport"
SMS_TRANSPORT = "tergeu.notifications.smpp.transport.SmppTransport"


class TransientError(Exception):
    """Retry later: the connection dropped, the peer throttles, SMTP answered 4xx."""


class PermanentError(Exception):
    """Never retry: the recipient is refused or invalid, the peer rejects the message."""


class NotConfigured(Exception):
    """The channel has no peer configured (e.g. ``TERGEU_SMTP_HOST`` is empty).

    The worker leaves that channel's messages pending rather than failing them.
    """


@dataclass
class Sent:
    """What the peer answered when it accepted a message.

    ``peer_id`` is the peer's id of the message (the SMSC's message_id of the first
    part, or the e-mail's Message-ID); ``parts`` the peer ids of every part of a
    concatenated SMS in order (empty for e-mail and for a one-part SMS).
    """

    peer_id: str
    parts: list[str] = field(default_factory=list)


@runtime_checkable
class Transport(Protocol):
    """A connection to a peer that carries messages of one ``channel``."""

    channel: str

    def open(self) -> None:
        """Connect (and log in); raise :class:`TransientError` if the peer is unreachable."""

    def send(self, message: Message) -> Sent:
        """Hand ``message`` to the peer; raise :class:`TransientError`/:class:`PermanentError`."""

    def close(self) -> None:
        """Disconnect; never raises."""


def transport_path(channel: str) -> str:
    """The dotted path of the transport class of ``channel``."""
    from .models import Channel

    if channel == Channel.EMAIL:
        return EMAIL_TRANSPORT
    if channel == Channel.SMS:
        return str(getattr(settings, "TERGEU_SMS_TRANSPORT", "") or SMS_TRANSPORT)
    raise ValueError(f"unknown channel {channel!r}")


def transport_for(channel: str) -> Transport:
    """A new, unopened transport of ``channel`` configured from the settings.

    The class is built with its ``from_settings()`` class method when it has one, else
    with no arguments; either raises :class:`NotConfigured` when the channel has no peer.
    """
    cls = import_string(transport_path(channel))
    factory = getattr(cls, "from_settings", None)
    transport: Transport = factory() if callable(factory) else cls()
    return transport
