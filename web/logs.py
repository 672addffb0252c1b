"""Logging: the seed app's line format on stderr, plus a rotating file in production."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from quart import Quart

LOG_FORMAT = "%(asctime)s %(levelname)s: %(message)s [in %(pathname)s:%(lineno)d]"


def init_app(app: Quart) -> None:
    formatter = logging.Formatter(LOG_FORMAT)
    for handler in app.logger.handlers:
        handler.setFormatter(formatter)
    app.logger.setLevel(logging.INFO)
    # Our other loggers (hyperquiz.mail writes emails here when no SMTP server is set).
    ours = logging.getLogger("hyperquiz")
    ours.setLevel(logging.INFO)
    if not ours.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(formatter)
        ours.addHandler(stream)
    if app.config["LOG_TO_FILE"]:
        log_dir = Path(app.config["LOG_DIR"])
        log_dir.mkdir(parents=True, exist_ok=True)
        file_handler = RotatingFileHandler(
            log_dir / "hyperquiz.log", maxBytes=10 * 1024 * 1024, backupCount=10
        )
        file_handler.setFormatter(formatter)
        file_handler.setLevel(logging.INFO)
        app.logger.addHandler(file_handler)
        ours.addHandler(file_handler)
    if app.config["APP_ENV"] == "production" and not app.config["MAIL_SERVER"]:
        app.logger.warning(
            "MAIL_SERVER is not set: emails, with their one-use links, go to this log instead."
        )
