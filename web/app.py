"""The app factory: settings -> extensions -> blueprints -> errors -> template loaders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import ChoiceLoader
from jinja2 import FileSystemLoader
from jinja2 import PrefixLoader
from quart import Quart

from web import auth
from web import cli
from web import db
from web import errors
from web import logs
from web import ratelimit
from web import security
from web.blueprints import account
from web.blueprints import admin
from web.blueprints import auth as auth_routes
from web.blueprints import dashboard
from web.blueprints import health
from web.blueprints import main
from web.blueprints import passwords
from web.config import load_config

BLUEPRINTS = (
    main.blueprint,
    health.blueprint,
    auth_routes.blueprint,
    passwords.blueprint,
    account.blueprint,
    dashboard.blueprint,
    admin.blueprint,
)


def create_app(config_name: str | None = None, overrides: Mapping[str, Any] | None = None) -> Quart:
    """Build the app for a tier (APP_ENV when None); raises ConfigError on a bad environment."""
    app = Quart(__name__, template_folder="templates", static_folder="static")
    app.config.update(load_config(config_name))
    app.config.update(overrides or {})
    logs.init_app(app)
    ratelimit.init_app(app)  # first: a flood is refused before any other work is done
    security.init_app(app)
    db.init_app(app)
    auth.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    errors.init_app(app)
    cli.init_app(app)
    _add_component_loader(app)
    return app


def _add_component_loader(app: Quart) -> None:
    """components/ sits beside the package; templates reach it as "components/<name>.html"."""
    components = PrefixLoader({"components": FileSystemLoader(app.config["COMPONENTS_DIR"])})
    app.jinja_loader = ChoiceLoader([components, FileSystemLoader(app.root_path + "/templates")])
