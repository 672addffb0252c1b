"""Blueprint: /health, the JSON probe for load balancers (CONTRACT.md)."""

from __future__ import annotations

from quart import Blueprint
from quart import Response
from quart import current_app
from quart import jsonify
from quart.blueprints import BlueprintSetupState
from quart_rate_limiter import rate_exempt

from web.db import get_database
from web.services.health import check_health
from web.services.schema import script_head

blueprint = Blueprint("health", __name__)
HEAD_KEY = "migration_head"


@blueprint.record_once
def _read_migration_head(state: BlueprintSetupState) -> None:
    """Once per app, at start-up: parsing the scripts on every probe would cost each poll."""
    state.app.extensions[HEAD_KEY] = script_head()


@blueprint.get("/health")
@rate_exempt
async def health() -> tuple[Response, int]:
    """Exempt from rate limits: probes poll it, and a 429 would read as "unhealthy"."""
    report = await check_health(
        get_database(), current_app.config["REDIS_URL"], current_app.extensions[HEAD_KEY]
    )
    return jsonify(report.as_json()), 200 if report.healthy else 503
