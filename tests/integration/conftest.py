"""Fixtures shared by the quiz-loop tests."""

from __future__ import annotations

import pytest
from quart import Quart

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import seed_quizzes
from tests.integration.quiz_helpers import sign_in


@pytest.fixture
async def player(app: Quart) -> Player:
    """A verified, signed-in person, with the test quizzes in the catalog."""
    await seed_quizzes(app)
    return await sign_in(app)
