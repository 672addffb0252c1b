from __future__ import annotations

import pytest

from web.forms.accounts import normalize_email
from web.forms.accounts import password_error
from web.forms.accounts import username_error


@pytest.mark.parametrize("name", ["abc", "Ada_Lovelace", "x" * 80, "user_123"])
def test_valid_usernames(name: str) -> None:
    assert username_error(name) is None


@pytest.mark.parametrize(
    "name", ["", "ab", "x" * 81, "has space", "émile", "a-b", "name\u200b", "💥💥💥"]
)
def test_invalid_usernames(name: str) -> None:
    assert username_error(name)


def test_email_is_normalized_to_lower_case() -> None:
    assert normalize_email("Ada@Example.COM") == ("ada@example.com", None)


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@", "@b.c", "a@b", "a" * 250 + "@x.io"])
def test_invalid_emails(email: str) -> None:
    normalized, message = normalize_email(email)
    assert normalized is None
    assert message


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("", "Enter"),
        ("Ab1", "at least 8"),
        ("alllower1", "upper-case"),
        ("ALLUPPER1", "upper-case"),
        ("NoDigitsHere", "upper-case"),
        ("Aa1" + "x" * 200, "at most 128"),
        ("Valid123\x00", "control"),
    ],
)
def test_password_rules(password: str, fragment: str) -> None:
    message = password_error(password)
    assert message
    assert fragment in message


def test_good_password_passes() -> None:
    assert password_error("Correct1Horse") is None


@pytest.mark.parametrize(
    "password",
    [
        "   Ab1   ",
        "\u00a0Ab1\u00a0\u00a0\u00a0\u00a0\u00a0",
        "  A b 1  c  ",
        "Ab1\u3000\u3000\u3000\u3000\u3000",
    ],
)
def test_spaces_do_not_count_towards_the_length(password: str) -> None:
    """Eight characters of which most are spaces is a three-letter password."""
    assert len(password) >= 8
    assert password_error(password) == "Use at least 8 characters besides spaces."


def test_a_passphrase_with_spaces_between_words_is_fine() -> None:
    assert password_error("Correct horse 9 battery") is None


def test_the_username_rule_says_ascii() -> None:
    """Look-alike letters (a Cyrillic a for the Latin one) would fake names on leaderboards."""
    assert (
        username_error("\u0430da")
        == "Use 3 to 80 characters: letters A to Z without accents, digits or underscores."
    )
