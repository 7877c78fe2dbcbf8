"""Applications, middleware, templates and static files."""

from pathlib import Path

from .env import DATA_DIR, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = env_bool("TERGEU_DEBUG", False)
ALLOWED_HOSTS = env_list("TERGEU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "tergeu.core",
    "tergeu.accounts",
    "tergeu.integrity",
    "tergeu.integrity.pki",
    "tergeu.qualification",
    "tergeu.intake",
    "tergeu.cases",
    "tergeu.documents",
    "tergeu.evidence",
    "tergeu.notifications",
    "tergeu.allocation",
    "tergeu.legalaid",
    "tergeu.summons",
    "tergeu.deadlines",
    "tergeu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "tergeu.urls"
WSGI_APPLICATION = "tergeu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tergeu.web.context.navigation",
            ],
        },
    },
]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves from the finders too
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
