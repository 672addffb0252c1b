"""Forms: hosting a live game (its options) and joining one (code and nickname)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from web.forms import FormResult
from web.forms import small_int
from web.models.game import CODE_PATTERN
from web.models.game import NICKNAME_MAX
from web.services.live_games import SECONDS_MAX
from web.services.live_games import SECONDS_MIN
from web.services.live_games import HostOptions

NICKNAME_MIN = 2
SECONDS_RULE = (
    f"Enter whole seconds from {SECONDS_MIN} to {SECONDS_MAX}, or leave it empty for no time limit."
)


@dataclass(frozen=True)
class JoinRequest:
    code: str
    nickname: str


def _raw(form: Mapping[str, str], name: str) -> str:
    value = form.get(name) or ""
    return value if isinstance(value, str) else ""


def parse_host_options(form: Mapping[str, str]) -> FormResult[HostOptions]:
    raw = _raw(form, "seconds_per_question").strip()
    values = {"seconds_per_question": raw, "speed_bonus": _raw(form, "speed_bonus")}
    seconds = small_int(raw, 4) if raw else None
    if raw and (seconds is None or not SECONDS_MIN <= seconds <= SECONDS_MAX):
        return FormResult(errors={"seconds_per_question": SECONDS_RULE}, values=values)
    bonus = values["speed_bonus"] in ("on", "yes", "1")
    if bonus and seconds is None:
        return FormResult(
            errors={"speed_bonus": "A speed bonus needs seconds per question: set a time."},
            values=values,
        )
    return FormResult(HostOptions(seconds, bonus), values=values)


def nickname_error(nickname: str) -> str | None:
    if not nickname:
        return "Enter a nickname."
    if any(unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") for char in nickname):
        return "Use letters, digits, spaces and punctuation only."
    if not NICKNAME_MIN <= len(nickname) <= NICKNAME_MAX:
        return f"Use {NICKNAME_MIN} to {NICKNAME_MAX} characters."
    return None


def parse_join(form: Mapping[str, str]) -> FormResult[JoinRequest]:
    code = "".join(_raw(form, "game_code").split())  # "123 456" as read off a screen
    # Runs of spaces become one, so "Ana  B" and "Ana B" are one nickname.
    nickname = " ".join(unicodedata.normalize("NFC", _raw(form, "nickname")).split())
    values = {"game_code": code[:20], "nickname": nickname[: NICKNAME_MAX + 1]}
    errors: dict[str, str] = {}
    if not CODE_PATTERN.fullmatch(code):
        errors["game_code"] = "Enter the 6-digit code shown on the host's screen."
    problem = nickname_error(nickname)
    if problem:
        errors["nickname"] = problem
    if errors:
        return FormResult(errors=errors, values=values)
    return FormResult(JoinRequest(code, nickname), values=values)
