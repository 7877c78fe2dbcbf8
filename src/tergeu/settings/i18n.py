"""Languages (Kazakh, Russian, English) and time zones.

Stored times are UTC; legal time limits are computed in the body's local time (UTC+5).
"""

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import env_str

LANGUAGE_CODE = env_str("TERGEU_LANGUAGE", "ru")
LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("TERGEU_TIME_ZONE", "Asia/Almaty")
LANGUAGE_COOKIE_NAME = "tergeu_language"
