from __future__ import annotations

from datetime import datetime

from quart.testing import QuartClient

from tests.conftest import make_app


async def test_health_reports_a_working_database(client: QuartClient) -> None:
    response = await client.get("/health")
    report = await response.get_json()
    assert response.status_code == 200
    assert report["status"] == "healthy"
    assert report["database"] == "ok"
    assert report["version"] == "0.1.0"
    assert datetime.fromisoformat(report["timestamp"]).tzinfo is not None
    assert "redis" not in report


async def test_health_is_503_when_the_database_is_down() -> None:
    # A server that refuses the connection. (A SQLite file that cannot be opened would do
    # too, but aiosqlite's worker thread outlives the failed connect and, collected during a
    # later test, reports into this test's closed event loop.)
    app = make_app("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")
    async with app.test_app():
        response = await app.test_client().get("/health")
    report = await response.get_json()
    assert response.status_code == 503
    assert report["status"] == "unhealthy"
    assert report["database"].startswith("error:")


async def test_health_checks_redis_when_configured(database_url: str) -> None:
    app = make_app(database_url, REDIS_URL="redis://127.0.0.1:1/0")
    async with app.test_app():
        response = await app.test_client().get("/health")
    report = await response.get_json()
    assert response.status_code == 503
    assert report["database"] == "ok"
    assert report["redis"].startswith("error:")
