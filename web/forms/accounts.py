"""Forms: the rules for usernames, emails and passwords (the seed app's rules)."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError
from email_validator import validate_email

USERNAME_PATTERN = re.compile(r"[A-Za-z0-9_]{3,80}")
PASSWORD_MIN = 8
PASSWORD_MAX = 128
EMAIL_MAX = 254


def username_error(username: str) -> str | None:
    if not username:
        return "Enter a username."
    if not USERNAME_PATTERN.fullmatch(username):
        return "Use 3 to 80 letters, digits or underscores."
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
    if not password:
        return "Enter a password."
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    if any(unicodedata.category(char) == "Cc" for char in password):
        return "Remove control characters from the password."
    if not (
        any(char.isupper() for char in password)
        and any(char.islower() for char in password)
        and any(char.isdigit() for char in password)
    ):
        return "Include an upper-case letter, a lower-case letter and a digit."
    return None
