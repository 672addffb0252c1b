"""A stored response is decoded from its JSON only when looked at, once (the answer path
reads every answer of the attempt but looks inside one)."""

from __future__ import annotations

import json

import pytest

from web.services import attempt_state
from web.services.attempt_state import StoredResponse


def test_reads_like_the_dict_it_holds() -> None:
    response = StoredResponse('{"choice": 3, "text": "Paris"}')
    assert response["choice"] == 3
    assert response.get("text") == "Paris"
    assert response.get("missing") is None
    assert dict(response) == {"choice": 3, "text": "Paris"}
    assert response == {"choice": 3, "text": "Paris"}
    assert len(response) == 2


def test_decodes_on_first_use_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    real_loads = json.loads

    def counting_loads(raw: str) -> object:
        decoded.append(raw)
        return real_loads(raw)

    monkeypatch.setattr(attempt_state.json, "loads", counting_loads)
    response = StoredResponse('{"value": true}')
    assert decoded == []
    assert response.get("value") is True
    assert response["value"] is True
    assert list(response) == ["value"]
    assert decoded == ['{"value": true}']
