from __future__ import annotations

import pytest

from web.security import hash_token
from web.security import new_url_token
from web.security import tokens_match


@pytest.mark.parametrize(
    ("expected", "sent", "result"),
    [
        ("abc", "abc", True),
        ("abc", "abd", False),
        ("abc", "", False),
        ("", "", False),
        (None, "abc", False),
        ("abc", None, False),
        ("abc", ["abc"], False),
        ("abc", "abc ", False),
        ("äbc", "äbc", True),
    ],
)
def test_tokens_match(expected: object, sent: object, result: bool) -> None:
    assert tokens_match(expected, sent) is result


def test_url_tokens_are_random_and_stored_only_as_hashes() -> None:
    token, stored = new_url_token()
    other, _ = new_url_token()
    assert token != other
    assert len(token) >= 40
    assert stored == hash_token(token)
    assert token not in stored
    assert len(stored) == 64
