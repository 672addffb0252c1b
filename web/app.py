"""The app factory: settings -> extensions -> blueprints -> errors -> template loaders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quart import Quart
from werkzeug.routing import BaseConverter

from web import auth
from web import cli
from web import db
from web import errors
from web import logs
from web import ratelimit
from web import requests
from web import security
from web import templating
from web.blueprints import account
from web.blueprints import admin
from web.blueprints import attempts
from web.blueprints import auth as auth_routes
from web.blueprints import authoring
from web.blueprints import authoring_preview
from web.blueprints import authoring_questions
from web.blueprints import catalog
from web.blueprints import dashboard
from web.blueprints import health
from web.blueprints import live_host
from web.blueprints import live_play
from web.blueprints import main
from web.blueprints import passwords
from web.blueprints import quiz_files
from web.blueprints import quiz_results
from web.config import load_config
from web.live import broker as live_broker

BLUEPRINTS = (
    main.blueprint,
    health.blueprint,
    auth_routes.blueprint,
    passwords.blueprint,
    account.blueprint,
    dashboard.blueprint,
    admin.blueprint,
    catalog.blueprint,
    attempts.blueprint,
    authoring.blueprint,
    authoring_questions.blueprint,
    authoring_preview.blueprint,
    quiz_files.blueprint,
    quiz_results.blueprint,
    live_host.blueprint,
    live_play.blueprint,
)


class IdConverter(BaseConverter):
    """Row ids and positions in URLs. A number no row can have (0, or past a 32-bit integer)
    becomes 0, which the services answer with 404: the database never sees an overflow, and
    werkzeug's converter validation (which turns a POST's miss into a 405) is not involved."""

    regex = r"\d{1,20}"
    MAX = 2**31 - 1

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= self.MAX else 0

    def to_url(self, value: object) -> str:
        return str(value)


def create_app(config_name: str | None = None, overrides: Mapping[str, Any] | None = None) -> Quart:
    """Build the app for a tier (APP_ENV when None); raises ConfigError on a bad environment."""
    app = Quart(__name__, template_folder="templates", static_folder="static")
    app.url_map.converters["id"] = IdConverter
    app.config.update(load_config(config_name))
    app.config.update(overrides or {})
    logs.init_app(app)
    requests.init_app(app, upload_paths=(quiz_files.UPLOAD_PATH,))
    ratelimit.init_app(app)  # first: a flood is refused before any other work is done
    security.init_app(app)
    db.init_app(app)
    auth.init_app(app)
    live_broker.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    cli.init_app(app)
    templating.init_app(app)
    return app
