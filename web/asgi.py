"""The hypercorn target: `hypercorn web.asgi:app`; a bad environment exits with one line."""

from __future__ import annotations

import sys

from web.app import create_app
from web.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"hyperquiz: {error}")
