"""Background tasks: django-tasks with its database backend (the outbox feeds it)."""

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
