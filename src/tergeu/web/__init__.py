"""The server-rendered web UI (Django templates + HTMX) in Kazakh, Russian and English."""
