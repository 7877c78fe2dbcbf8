"""Secrets, password hashing (Argon2), sessions that expire, cookies."""

from .env import env_bool, env_int, env_list, secret_key

SECRET_KEY = secret_key()
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("TERGEU_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # idle sessions expire; active ones are renewed
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("TERGEU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
API_TOKEN_DAYS = env_int("TERGEU_API_TOKEN_DAYS", 365)

# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto header and the
# public origins for CSRF checks of form posts.
if env_bool("TERGEU_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("TERGEU_CSRF_TRUSTED_ORIGINS", [])
