"""Models: SQLModel tables and the domain rules they own (a model never commits)."""

from __future__ import annotations

from web.models.attempt import Attempt
from web.models.attempt import AttemptClosedError
from web.models.attempt import AttemptError
from web.models.attempt import AttemptNotFoundError
from web.models.attempt import InvalidResponseError
from web.models.attempt import UserAnswer
from web.models.base import utcnow
from web.models.game import Game
from web.models.game import GameError
from web.models.game import GamePhase
from web.models.game import GamePlayer
from web.models.quiz import Difficulty
from web.models.quiz import FeedbackMode
from web.models.quiz import Question
from web.models.quiz import Quiz
from web.models.quiz import QuizRevision
from web.models.quiz import RevisionQuestion
from web.models.quiz import RevisionStatus
from web.models.quiz import TextFormat
from web.models.upload import ImportUpload
from web.models.user import EmailToken
from web.models.user import LoginThrottle
from web.models.user import TokenPurpose
from web.models.user import User
from web.models.user import UserSession

__all__ = [
    "Attempt",
    "AttemptClosedError",
    "AttemptError",
    "AttemptNotFoundError",
    "Difficulty",
    "EmailToken",
    "FeedbackMode",
    "Game",
    "GameError",
    "GamePhase",
    "GamePlayer",
    "ImportUpload",
    "InvalidResponseError",
    "LoginThrottle",
    "Question",
    "Quiz",
    "QuizRevision",
    "RevisionQuestion",
    "RevisionStatus",
    "TextFormat",
    "TokenPurpose",
    "User",
    "UserAnswer",
    "UserSession",
    "utcnow",
]
