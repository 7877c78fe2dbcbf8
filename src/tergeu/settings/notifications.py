"""Delivery of the outbox: the worker's pace and retries, the SMTP relay, the SMS class.

An empty ``TERGEU_SMTP_HOST`` means "no e-mail peer": the worker leaves e-mail pending.
The SMPP settings (``TERGEU_SMPP_*``) belong to the SMS transport.
"""

from .env import env_int, env_str

TERGEU_OUTBOX_BATCH = env_int("TERGEU_OUTBOX_BATCH", 20)
TERGEU_OUTBOX_MAX_ATTEMPTS = env_int("TERGEU_OUTBOX_MAX_ATTEMPTS", 8)
TERGEU_OUTBOX_BACKOFF_SECONDS = env_int("TERGEU_OUTBOX_BACKOFF_SECONDS", 30)
TERGEU_OUTBOX_BACKOFF_MAX_SECONDS = env_int("TERGEU_OUTBOX_BACKOFF_MAX_SECONDS", 3600)
TERGEU_OUTBOX_LEASE_SECONDS = env_int("TERGEU_OUTBOX_LEASE_SECONDS", 300)
TERGEU_OUTBOX_POLL_SECONDS = env_int("TERGEU_OUTBOX_POLL_SECONDS", 5)

TERGEU_SMTP_HOST = env_str("TERGEU_SMTP_HOST", "")
TERGEU_SMTP_PORT = env_int("TERGEU_SMTP_PORT", 0)  # 0: 465 for ssl, else 587 (25 for none)
TERGEU_SMTP_USER = env_str("TERGEU_SMTP_USER", "")
TERGEU_SMTP_PASSWORD = env_str("TERGEU_SMTP_PASSWORD", "")
TERGEU_SMTP_TLS = env_str("TERGEU_SMTP_TLS", "starttls")
TERGEU_SMTP_CA_FILE = env_str("TERGEU_SMTP_CA_FILE", "")
TERGEU_SMTP_FROM = env_str("TERGEU_SMTP_FROM", "Tergeu <noreply@tergeu.example>")
TERGEU_SMTP_TIMEOUT = env_int("TERGEU_SMTP_TIMEOUT", 30)

TERGEU_SMS_TRANSPORT = env_str(
    "TERGEU_SMS_TRANSPORT", "tergeu.notifications.smpp.transport.SmppTransport"
)
