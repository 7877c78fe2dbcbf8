"""E-mail over SMTP: the transport of the ``email`` channel (``TERGEU_SMTP_*``).

Each message goes as ``multipart/alternative``: the text and an HTML version in the
recipient's language (the message's ``html`` rendered from ``notifications/<kind>.html``
when it was queued, else the text escaped into ``notifications/_email.html``). The
Message-ID is derived from the message's id, ``<id@domain of TERGEU_SMTP_FROM>``, so a
message sent twice (see :mod:`.worker`) carries the same Message-ID both times.

Answers map to the worker's contract: a 4xx reply, a dropped connection or a timeout is
a :class:`~.transports.TransientError`; a 5xx reply or a refused recipient is a
:class:`~.transports.PermanentError`.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from tergeu.core import clock

from .models import Channel
from .transports import NotConfigured, PermanentError, Sent, TransientError

if TYPE_CHECKING:
    from .models import Message

TLS_MODES = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


def message_id(message: Message, sender: str) -> str:
    """The stable Message-ID of ``message``: its id at the domain of ``sender``."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "tergeu.invalid"
    return f"<{message.pk}@{domain}>"


def html_of(message: Message) -> str:
    """The HTML version: the one rendered when queued, else the text escaped."""
    if message.html.strip():
        return message.html
    with translation.override(message.language):
        return render_to_string(
            "notifications/_email.html",
            {
                "language": message.language,
                "subject": message.subject,
                "body": message.body,
            },
        )


def build(message: Message, sender: str) -> EmailMessage:
    """The MIME message of ``message``: text and HTML alternatives, UTF-8."""
    mail = EmailMessage(policy=SMTP_POLICY)
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = message.recipient
    mail["Date"] = format_datetime(clock.now())
    mail["Message-ID"] = message_id(message, sender)
    mail["Auto-Submitted"] = "auto-generated"
    mail.set_content(message.body, cte="quoted-printable")
    mail.add_alternative(html_of(message), subtype="html", cte="quoted-printable")
    mail["Content-Language"] = message.language  # after the parts: set_content drops it
    return mail


def _error(code: int, text: bytes | str, what: str) -> Exception:
    detail = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    message = f"{what}: {code} {detail}".strip()
    return TransientError(message) if 400 <= code < 500 else PermanentError(message)


class SmtpTransport:
    """One SMTP connection, opened for a batch and reused for its messages."""

    channel = Channel.EMAIL.value

    def __init__(
        self,
        *,
        host: str,
        port: int = 0,
        user: str = "",
        password: str = "",
        tls: str = "starttls",
        ca_file: str = "",
        sender: str = "Tergeu <noreply@tergeu.example>",
        timeout: float = 30,
    ) -> None:
        if tls not in TLS_MODES:
            raise NotConfigured(f"TERGEU_SMTP_TLS must be one of {', '.join(TLS_MODES)}")
        if user and tls == "none":
            raise NotConfigured("TERGEU_SMTP_USER is set: the password needs TERGEU_SMTP_TLS")
        self.host, self.port = host, port or DEFAULT_PORTS[tls]
        self.user, self.password = user, password
        self.tls, self.ca_file = tls, ca_file
        self.sender, self.timeout = sender, timeout
        self._smtp: smtplib.SMTP | None = None

    @classmethod
    def from_settings(cls) -> SmtpTransport:
        """The relay the ``TERGEU_SMTP_*`` settings name; NotConfigured without a host."""
        host = getattr(settings, "TERGEU_SMTP_HOST", "")
        if not host:
            raise NotConfigured("TERGEU_SMTP_HOST is empty")
        return cls(
            host=host,
            port=int(getattr(settings, "TERGEU_SMTP_PORT", 0) or 0),
            user=getattr(settings, "TERGEU_SMTP_USER", ""),
            password=getattr(settings, "TERGEU_SMTP_PASSWORD", ""),
            tls=getattr(settings, "TERGEU_SMTP_TLS", "starttls"),
            ca_file=getattr(settings, "TERGEU_SMTP_CA_FILE", ""),
            sender=getattr(settings, "TERGEU_SMTP_FROM", "Tergeu <noreply@tergeu.example>"),
            timeout=float(getattr(settings, "TERGEU_SMTP_TIMEOUT", 30)),
        )

    def __repr__(self) -> str:
        return f"SmtpTransport({self.host}:{self.port}, tls={self.tls})"

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def open(self) -> None:
        """Connect, secure the connection as configured and log in."""
        self.close()
        try:
            if self.tls == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                smtp.ehlo()
                if self.tls == "starttls":
                    smtp.starttls(context=self._context())
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password)
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPResponseException as exc:
            raise TransientError(f"SMTP {self.host}: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"SMTP {self.host}:{self.port}: {exc}") from exc
        self._smtp = smtp

    def send(self, message: Message) -> Sent:
        """Send one message; its Message-ID is the peer id."""
        if self._smtp is None:
            self.open()
        assert self._smtp is not None
        mail = build(message, self.sender)
        envelope_from = parseaddr(self.sender)[1]
        try:
            self._smtp.send_message(mail, from_addr=envelope_from, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _error(code, text, f"recipient {message.recipient} refused") from exc
        except smtplib.SMTPSenderRefused as exc:
            raise _error(exc.smtp_code, exc.smtp_error, "sender refused") from exc
        except smtplib.SMTPServerDisconnected as exc:
            self._smtp = None
            raise TransientError(f"SMTP {self.host}: disconnected ({exc})") from exc
        except smtplib.SMTPResponseException as exc:
            raise _error(exc.smtp_code, exc.smtp_error, "message refused") from exc
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address, no SMTPUTF8
            raise PermanentError(f"SMTP {self.host}: {exc}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientError(f"SMTP {self.host}: {exc}") from exc
        return Sent(peer_id=str(mail["Message-ID"]))

    def close(self) -> None:
        """Say QUIT (or just drop a broken connection)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
