"""Static files: only what exists is served; any other name is a plain 404, never a 500."""

from __future__ import annotations

import pytest
from quart.testing import QuartClient


@pytest.mark.parametrize(
    "name",
    [
        "a" * 300,  # longer than a file name may be: the OS refuses to look it up
        f"{'b' * 200}/{'c' * 200}",
        "css/missing.css",
        "css",  # a folder, not a file
    ],
    ids=["name-too-long", "two-long-parts", "missing", "folder"],
)
async def test_a_file_that_cannot_exist_is_not_found(client: QuartClient, name: str) -> None:
    response = await client.get(f"/static/{name}")
    assert response.status_code == 404


async def test_an_existing_file_is_served(client: QuartClient) -> None:
    response = await client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
