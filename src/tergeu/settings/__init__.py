"""Django settings, split by concern; every value comes from the environment.

TERGEU_* variables and DATABASE_URL are documented in docs/operations.md.
"""

from .base import *  # noqa: F403
from .database import *  # noqa: F403
from .i18n import *  # noqa: F403
from .logs import *  # noqa: F403
from .notifications import *  # noqa: F403
from .security import *  # noqa: F403
from .tasks import *  # noqa: F403
