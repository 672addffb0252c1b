"""Forms: the rules for usernames, emails and passwords (the seed app's rules)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from email_validator import EmailNotValidError
from email_validator import validate_email

from web.forms import FormResult
from web.forms import text_value

# ASCII only, as the seed: look-alike letters would fake names on public leaderboards.
USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{3,80}")
USERNAME_RULE = "3 to 80 characters: letters A to Z without accents, digits or underscores."
PASSWORD_MIN = 8
PASSWORD_MAX = 128
EMAIL_MAX = 254
# Every refused log-in reads the same, whatever the reason (README: accounts).
INVALID_LOGIN = (
    "Invalid username/email or password. After 5 failed tries from one address, log-in "
    "to that account pauses there for 15 minutes."
)


def username_error(username: str) -> str | None:
    if not username:
        return "Enter a username."
    if not USERNAME_PATTERN.fullmatch(username):
        return f"Use {USERNAME_RULE}"
    return None


def normalize_email(email: str) -> tuple[str | None, str | None]:
    """(normalized email, None) or (None, message); no DNS look-up, so it works offline."""
    if not email:
        return None, "Enter an email address."
    if len(email) > EMAIL_MAX:
        return None, f"Use an email address of at most {EMAIL_MAX} characters."
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return None, "Enter a valid email address, like name@example.com."
    return valid.normalized.lower(), None


def password_error(password: str) -> str | None:
    """The first rule the password breaks, as a message; None when it keeps them all."""
    rules = (
        (not password, "Enter a password."),
        (len(password) < PASSWORD_MIN, f"Use at least {PASSWORD_MIN} characters."),
        (  # "   Ab1   " is a three-letter password
            len("".join(password.split())) < PASSWORD_MIN,
            f"Use at least {PASSWORD_MIN} characters besides spaces.",
        ),
        (len(password) > PASSWORD_MAX, f"Use at most {PASSWORD_MAX} characters."),
        (
            any(unicodedata.category(char) == "Cc" for char in password),
            "Remove control characters from the password.",
        ),
        (
            not (
                any(char.isupper() for char in password)
                and any(char.islower() for char in password)
                and any(char.isdigit() for char in password)
            ),
            "Include an upper-case letter, a lower-case letter and a digit.",
        ),
    )
    return next((message for broken, message in rules if broken), None)


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str


@dataclass(frozen=True)
class Login:
    identifier: str
    password: str
    remember: bool


@dataclass(frozen=True)
class NewPassword:
    password: str
    current: str = ""


REGISTRATION_FIELDS = ("username", "email", "password", "confirm_password")


def _confirmation_error(password: str, confirmation: str) -> str | None:
    if not confirmation:
        return "Confirm the password."
    if password != confirmation:
        return "The passwords do not match."
    return None


def registration_errors(form: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """({field: message}, cleaned values) for the registration form, field by field."""
    values = {name: text_value(form, name) for name in ("username", "email")}
    password = form.get("password") or ""
    email, email_problem = normalize_email(values["email"])
    problems = {
        "username": username_error(values["username"]),
        "email": email_problem,
        "password": password_error(password),
        "confirm_password": _confirmation_error(password, form.get("confirm_password") or ""),
    }
    if email:
        values["email"] = email
    return {name: message for name, message in problems.items() if message}, values


def available(parsed: FormResult[Registration]) -> dict[str, str]:
    """The well-formed username and email of a registration, to look up as taken or not."""
    return {
        name: parsed.values.get(name, "") if name not in parsed.errors else ""
        for name in ("username", "email")
    }


def parse_registration(form: Mapping[str, str]) -> FormResult[Registration]:
    errors, values = registration_errors(form)
    if errors:
        return FormResult(errors=errors, values=values)
    registration = Registration(values["username"], values["email"], form.get("password") or "")
    return FormResult(data=registration, values=values)


def parse_login(form: Mapping[str, str]) -> FormResult[Login]:
    identifier = text_value(form, "identifier")
    password = form.get("password") or ""
    values = {"identifier": identifier}
    errors = {}
    if not identifier:
        errors["identifier"] = "Enter your username or email."
    if not password:
        errors["password"] = "Enter your password."
    if len(password) > PASSWORD_MAX or len(identifier) > EMAIL_MAX:
        errors["identifier"] = INVALID_LOGIN
    if errors:
        return FormResult(errors=errors, values=values)
    return FormResult(data=Login(identifier, password, form.get("remember") == "on"), values=values)


def parse_new_password(form: Mapping[str, str], *, needs_current: bool) -> FormResult[NewPassword]:
    """The reset and change-password forms: a new password twice, and the current one to change."""
    password = form.get("new_password") or ""
    current = form.get("current_password") or ""
    problems = {
        "current_password": "Enter your current password."
        if needs_current and not current
        else None,
        "new_password": password_error(password),
        "confirm_password": _confirmation_error(password, form.get("confirm_password") or ""),
    }
    if (
        needs_current
        and current
        and password
        and current == password
        and not problems["new_password"]
    ):
        problems["new_password"] = "Choose a password different from the current one."
    errors = {name: message for name, message in problems.items() if message}
    if errors:
        return FormResult(errors=errors)
    return FormResult(data=NewPassword(password, current))


def parse_email_only(form: Mapping[str, str]) -> FormResult[str]:
    email, problem = normalize_email(text_value(form, "email"))
    if email is None:
        return FormResult(
            errors={"email": problem or "Enter an email address."},
            values={"email": text_value(form, "email")},
        )
    return FormResult(data=email, values={"email": email})
