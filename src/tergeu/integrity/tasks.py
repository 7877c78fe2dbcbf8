"""Background tasks of the journal (django-tasks): issuing a signed checkpoint.

``tergeu worker`` also issues checkpoints on its own schedule (:mod:`.schedule`); the task
is there to ask for one through the task queue (e.g. from the outbox or an operator).
"""

from __future__ import annotations

import base64
from typing import Any

from django_tasks import task

from . import checkpoints


@task()
def issue_checkpoint_task() -> dict[str, Any]:
    """Integrate the new events and sign a checkpoint if the tree grew.

    Returns the newest checkpoint's size, root (base64) and whether it is new.
    """
    before = checkpoints.latest()
    checkpoint = checkpoints.issue_checkpoint()
    return {
        "size": checkpoint.size,
        "root": base64.b64encode(bytes(checkpoint.root_hash)).decode(),
        "new": before is None or checkpoint.pk != before.pk,
    }
