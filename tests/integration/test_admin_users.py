"""The administrators' user list: who may see it, and deactivate, reactivate, unlock, search."""

from __future__ import annotations

import re

import pytest
from quart import Quart
from quart import Response
from quart.testing import QuartClient

from tests.integration.accounts_helpers import HTMX
from tests.integration.accounts_helpers import PASSWORD
from tests.integration.accounts_helpers import fail_logins
from tests.integration.accounts_helpers import fetch_user
from tests.integration.accounts_helpers import field_error
from tests.integration.accounts_helpers import flashes
from tests.integration.accounts_helpers import is_signed_in
from tests.integration.accounts_helpers import log_in
from tests.integration.accounts_helpers import login_redirect_next
from tests.integration.accounts_helpers import login_throttles
from tests.integration.accounts_helpers import make_user
from tests.integration.accounts_helpers import post_form
from tests.integration.accounts_helpers import signed_in
from tests.integration.accounts_helpers import text
from web.forms.accounts import INVALID_LOGIN
from web.models import LoginThrottle
from web.models import utcnow

OTHER_ADDRESS = "203.0.113.50"

ACTIONS = ("deactivate", "reactivate", "unlock")


@pytest.fixture
async def root(app: Quart) -> int:
    return await make_user(app, "root", is_admin=True)


@pytest.fixture
async def grace(app: Quart) -> int:
    return await make_user(app, "grace")


@pytest.fixture
async def admin_client(app: Quart, root: int) -> QuartClient:
    return await signed_in(app, "root")


def listed_usernames(body: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*>([^<]+)</th>', body)


def row(body: str, user_id: int) -> str:
    match = re.search(rf'<tr id="user-row-{user_id}">.*?</tr>', body, re.S)
    assert match, f"no row for user {user_id}"
    return match.group(0)


async def act(
    client: QuartClient, user_id: int | str, action: str, *, htmx: bool = False
) -> Response:
    return await post_form(client, f"/admin/users/{user_id}/{action}", htmx=htmx)


async def lock(app: Quart, username: str) -> None:
    """Pause the account's log-in from two addresses (the test client's and another)."""
    await fail_logins(app, username)
    await fail_logins(app, username, address=OTHER_ADDRESS)
    assert len(await paused(app, username)) == 2


async def paused(app: Quart, username: str) -> list[LoginThrottle]:
    user = await fetch_user(app, username)
    return [
        throttle
        for throttle in await login_throttles(app)
        if throttle.subject == f"user:{user.id}"
        and throttle.locked_until is not None
        and throttle.locked_until > utcnow()
    ]


# Who may see it -------------------------------------------------------------------------------


async def test_anonymous_visitors_are_sent_to_log_in(client: QuartClient) -> None:
    response = await client.get("/admin/users")
    assert response.status_code == 303
    assert login_redirect_next(response.headers["Location"]) == "/admin/users"


async def test_members_are_forbidden(app: Quart, grace: int) -> None:
    client = await signed_in(app, "grace")
    response = await client.get("/admin/users")
    assert response.status_code == 403
    assert "do not have permission" in await text(response)
    assert ">Users</a>" not in await text(await client.get("/dashboard"))


@pytest.mark.parametrize("action", ACTIONS)
async def test_members_cannot_act(app: Quart, root: int, grace: int, action: str) -> None:
    client = await signed_in(app, "grace")
    response = await act(client, root, action)
    assert response.status_code == 403
    assert (await fetch_user(app, "root")).is_active


@pytest.mark.parametrize("action", ACTIONS)
async def test_anonymous_visitors_cannot_act(app: Quart, grace: int, action: str) -> None:
    response = await act(app.test_client(), grace, action)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    assert (await fetch_user(app, "grace")).is_active


async def test_admins_see_every_account(
    app: Quart, admin_client: QuartClient, root: int, grace: int
) -> None:
    await make_user(app, "ada", verified=False)
    response = await admin_client.get("/admin/users")
    body = await text(response)
    assert response.status_code == 200
    assert listed_usernames(body) == ["ada", "grace", "root"]
    assert "3 accounts" in body
    assert "grace@example.com" in body
    assert ">Users</a>" in body  # the navigation offers the page to admins
    assert "Active, admin" in row(body, root)
    assert "Deactivate" not in row(body, root)  # no button to deactivate oneself
    assert "Deactivate<span" in row(body, grace)


async def test_htmx_listing_is_the_table_fragment(admin_client: QuartClient, grace: int) -> None:
    response = await admin_client.get("/admin/users?q=gra", headers=HTMX)
    body = await text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<section id="user-table"')
    assert listed_usernames(body) == ["grace"]


# Deactivate, reactivate, unlock ---------------------------------------------------------------


async def test_deactivate_with_a_plain_post(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    response = await act(admin_client, grace, "deactivate")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/users")
    page = await text(await admin_client.get(response.headers["Location"]))
    assert "Deactivated grace." in flashes(page)
    assert "Deactivated" in row(page, grace)
    assert "Reactivate<span" in row(page, grace)
    assert not (await fetch_user(app, "grace")).is_active


async def test_deactivate_with_htmx_returns_the_row_and_a_message(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    response = await act(admin_client, grace, "deactivate", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith(f'<tr id="user-row-{grace}">')
    assert "Reactivate<span" in row(body, grace)
    assert "data-swap-focus" in row(body, grace)
    assert '<div id="messages" hx-swap-oob="innerHTML">' in body
    assert "Deactivated grace." in flashes(body)
    assert not (await fetch_user(app, "grace")).is_active


async def test_deactivating_ends_the_users_sessions_at_once(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    graces_browser = await signed_in(app, "grace", remember=True)
    assert await is_signed_in(graces_browser)
    await act(admin_client, grace, "deactivate")
    assert not await is_signed_in(graces_browser)
    refused = await log_in(app.test_client(), "grace")
    assert field_error(await text(refused), "identifier") == INVALID_LOGIN


async def test_reactivate_with_a_plain_post(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    await act(admin_client, grace, "deactivate")
    response = await act(admin_client, grace, "reactivate")
    assert response.status_code == 303
    page = await text(await admin_client.get(response.headers["Location"]))
    assert "Reactivated grace." in flashes(page)
    assert (await fetch_user(app, "grace")).is_active
    assert (await log_in(app.test_client(), "grace", PASSWORD)).status_code == 303


async def test_reactivate_with_htmx(app: Quart, admin_client: QuartClient, grace: int) -> None:
    await act(admin_client, grace, "deactivate")
    response = await act(admin_client, grace, "reactivate", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert "Deactivate<span" in row(body, grace)
    assert "Reactivated grace." in flashes(body)
    assert (await fetch_user(app, "grace")).is_active


async def test_unlock_with_a_plain_post(app: Quart, admin_client: QuartClient, grace: int) -> None:
    await lock(app, "grace")
    listing = await text(await admin_client.get("/admin/users"))
    assert "Locked" in row(listing, grace)
    assert "Unlock<span" in row(listing, grace)

    response = await act(admin_client, grace, "unlock")
    assert response.status_code == 303
    page = await text(await admin_client.get(response.headers["Location"]))
    assert "Unlocked grace." in flashes(page)
    assert "Unlock<span" not in row(page, grace)
    assert await paused(app, "grace") == []
    assert (await log_in(app.test_client(), "grace", PASSWORD)).status_code == 303
    assert (await log_in(app.test_client(), "grace", address=OTHER_ADDRESS)).status_code == 303


async def test_unlock_with_htmx(app: Quart, admin_client: QuartClient, grace: int) -> None:
    await lock(app, "grace")
    response = await act(admin_client, grace, "unlock", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert "Active" in row(body, grace)
    assert "Unlock<span" not in row(body, grace)
    assert "Unlocked grace." in flashes(body)
    assert (await log_in(app.test_client(), "grace", PASSWORD)).status_code == 303


async def test_an_admin_cannot_deactivate_themself(
    app: Quart, admin_client: QuartClient, root: int
) -> None:
    response = await act(admin_client, root, "deactivate")
    assert response.status_code == 303
    page = await text(await admin_client.get(response.headers["Location"]))
    assert "You cannot deactivate your own account." in flashes(page)
    assert '<p class="notice notice-error" role="alert">You cannot deactivate' in page
    assert (await fetch_user(app, "root")).is_active
    assert await is_signed_in(admin_client)


async def test_an_admin_cannot_deactivate_themself_with_htmx(
    app: Quart, admin_client: QuartClient, root: int
) -> None:
    response = await act(admin_client, root, "deactivate", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert f'<tr id="user-row-{root}">' in body
    assert "You cannot deactivate your own account." in flashes(body)
    assert (await fetch_user(app, "root")).is_active


async def test_another_admin_can_be_deactivated(app: Quart, admin_client: QuartClient) -> None:
    other = await make_user(app, "other_admin", is_admin=True)
    response = await act(admin_client, other, "deactivate")
    assert response.status_code == 303
    assert not (await fetch_user(app, "other_admin")).is_active


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("user_id", ["999", "0"])
async def test_an_unknown_user_is_a_404(
    admin_client: QuartClient, action: str, user_id: str
) -> None:
    plain = await act(admin_client, user_id, action)
    htmx = await act(admin_client, user_id, action, htmx=True)
    assert plain.status_code == 404
    assert htmx.status_code == 404
    body = await text(plain)
    assert "could not find" in body
    assert ">Users</a>" in body  # the page still knows who is signed in


@pytest.mark.parametrize("action", ACTIONS)
async def test_an_id_too_large_for_the_database_is_a_404(
    admin_client: QuartClient, action: str
) -> None:
    """A URL anyone can type; beyond a 64-bit integer both databases refuse the parameter."""
    response = await act(admin_client, "99999999999999999999", action)
    assert response.status_code == 404


@pytest.mark.parametrize("user_id", ["-1", "abc", "1.5"])
async def test_a_malformed_id_is_a_404(admin_client: QuartClient, user_id: str) -> None:
    response = await act(admin_client, user_id, "deactivate")
    assert response.status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
async def test_actions_need_csrf(
    app: Quart, admin_client: QuartClient, grace: int, action: str
) -> None:
    await lock(app, "grace")
    await admin_client.get("/admin/users")
    response = await admin_client.post(f"/admin/users/{grace}/{action}")
    assert response.status_code == 403
    assert (await fetch_user(app, "grace")).is_active
    assert len(await paused(app, "grace")) == 2


@pytest.mark.parametrize("action", ACTIONS)
async def test_actions_are_post_only(admin_client: QuartClient, grace: int, action: str) -> None:
    response = await admin_client.get(f"/admin/users/{grace}/{action}")
    assert response.status_code == 405


async def test_the_page_and_search_are_kept_after_an_action(
    admin_client: QuartClient, grace: int
) -> None:
    """The action forms carry the list's page and search, so a plain post returns to them."""
    listing = await text(await admin_client.get("/admin/users?q=gra"))
    assert '<input type="hidden" name="q" value="gra">' in row(listing, grace)
    response = await post_form(
        admin_client, f"/admin/users/{grace}/deactivate", {"page": "1", "q": "gra"}
    )
    assert response.headers["Location"] == "/admin/users?page=1&q=gra"


async def test_a_refused_action_is_announced_as_an_alert(
    admin_client: QuartClient, root: int
) -> None:
    body = await text(await act(admin_client, root, "deactivate", htmx=True))
    assert 'role="alert">You cannot deactivate your own account.</p>' in body


# Search and pages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("gra", ["grace"]),
        ("GRACE", ["grace"]),
        ("ada@", ["ada"]),
        ("example.com", ["ada", "grace", "root"]),
        ("nobody", []),
        ("", ["ada", "grace", "root"]),
    ],
)
async def test_search_filters_by_username_or_email(
    app: Quart, admin_client: QuartClient, grace: int, query: str, expected: list[str]
) -> None:
    await make_user(app, "ada")
    response = await admin_client.get("/admin/users", query_string={"q": query})
    body = await text(response)
    assert response.status_code == 200
    assert listed_usernames(body) == expected
    if query:
        assert f"matching “{query}”" in body


@pytest.mark.parametrize("query", ["_", "%", "a_a"])
async def test_search_treats_wildcards_literally(
    app: Quart, admin_client: QuartClient, query: str
) -> None:
    """Searching for an underscore finds names with an underscore, not everyone."""
    await make_user(app, "ada_l")
    await make_user(app, "abaca")
    response = await admin_client.get("/admin/users", query_string={"q": query})
    expected = [name for name in ("abaca", "ada_l", "root") if query in name]
    assert listed_usernames(await text(response)) == expected


@pytest.mark.parametrize(
    "query", ["\x00", "a\x00b", "x" * 10_000, "'; DROP TABLE users; --", "💥", "\u200b"]
)
async def test_odd_searches_do_not_fail(admin_client: QuartClient, grace: int, query: str) -> None:
    response = await admin_client.get("/admin/users", query_string={"q": query})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "page", ["abc", "-1", "0", "1.5", "", "99999999999999999999", "٣", "²", "1\x00"]
)
async def test_odd_page_numbers_show_a_page(
    admin_client: QuartClient, grace: int, page: str
) -> None:
    response = await admin_client.get("/admin/users", query_string={"page": page})
    body = await text(response)
    assert response.status_code == 200
    assert listed_usernames(body) == ["grace", "root"]


async def test_pages_of_25(app: Quart, admin_client: QuartClient) -> None:
    for number in range(30):
        await make_user(app, f"user_{number:02d}")
    first = await text(await admin_client.get("/admin/users"))
    second = await text(await admin_client.get("/admin/users?page=2"))
    beyond = await text(await admin_client.get("/admin/users?page=50"))
    assert len(listed_usernames(first)) == 25
    assert "Page 1 of 2" in first
    assert ">Next page</a>" in first
    assert len(listed_usernames(second)) == 6
    assert "Page 2 of 2" in second
    assert ">Previous page</a>" in second
    assert set(listed_usernames(first)).isdisjoint(listed_usernames(second))
    assert listed_usernames(beyond) == listed_usernames(second)


async def test_the_pager_keeps_the_search(app: Quart, admin_client: QuartClient) -> None:
    for number in range(27):
        await make_user(app, f"user_{number:02d}")
    body = await text(await admin_client.get("/admin/users?q=user_"))
    assert 'href="/admin/users?page=2&amp;q=user_"' in body


# Make author, remove author -------------------------------------------------------------------


async def test_make_author_with_a_plain_post(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    listing = await text(await admin_client.get("/admin/users"))
    assert "<td>No</td>" in row(listing, grace)
    assert "Make author<span" in row(listing, grace)
    assert "Remove author<span" not in row(listing, grace)

    response = await act(admin_client, grace, "make-author")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/admin/users")
    page = await text(await admin_client.get(response.headers["Location"]))
    assert "grace is now an author." in flashes(page)
    assert "<td>Author</td>" in row(page, grace)
    assert "Remove author<span" in row(page, grace)
    assert "Make author<span" not in row(page, grace)
    user = await fetch_user(app, "grace")
    assert user.is_author
    assert user.may_author


async def test_make_author_with_htmx_returns_the_row_and_a_message(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    response = await act(admin_client, grace, "make-author", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith(f'<tr id="user-row-{grace}">')
    assert "Remove author<span" in row(body, grace)
    assert "data-swap-focus" in row(body, grace)
    assert '<div id="messages" hx-swap-oob="innerHTML">' in body
    assert flashes(body) == ["grace is now an author."]
    assert (await fetch_user(app, "grace")).is_author


async def test_remove_author_with_a_plain_post(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    await act(admin_client, grace, "make-author")
    listing = await text(await admin_client.get("/admin/users"))
    assert 'hx-confirm="Remove grace as an author?' in row(listing, grace)

    response = await act(admin_client, grace, "remove-author")
    assert response.status_code == 303
    page = await text(await admin_client.get(response.headers["Location"]))
    assert "grace is no longer an author." in flashes(page)
    assert "<td>No</td>" in row(page, grace)
    assert "Make author<span" in row(page, grace)
    user = await fetch_user(app, "grace")
    assert not user.is_author
    assert not user.may_author


async def test_remove_author_with_htmx(app: Quart, admin_client: QuartClient, grace: int) -> None:
    await act(admin_client, grace, "make-author")
    response = await act(admin_client, grace, "remove-author", htmx=True)
    body = await text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="user-row-{grace}">')
    assert "Make author<span" in row(body, grace)
    assert flashes(body) == ["grace is no longer an author."]
    assert not (await fetch_user(app, "grace")).is_author


async def test_granting_twice_keeps_one_author(
    app: Quart, admin_client: QuartClient, grace: int
) -> None:
    """Two tabs pressing "Make author": the second is no error, and the row says so."""
    await act(admin_client, grace, "make-author")
    response = await act(admin_client, grace, "make-author", htmx=True)
    assert response.status_code == 200
    assert "Remove author<span" in row(await text(response), grace)
    assert (await fetch_user(app, "grace")).is_author


async def test_admin_rows_read_author_without_buttons(
    app: Quart, admin_client: QuartClient, root: int
) -> None:
    other = await make_user(app, "other_admin", is_admin=True)
    listing = await text(await admin_client.get("/admin/users"))
    for admin_id in (root, other):
        assert "<td>Author (admin)</td>" in row(listing, admin_id)
        assert "author<span" not in row(listing, admin_id)


@pytest.mark.parametrize("action", ["make-author", "remove-author"])
async def test_an_admins_flag_is_left_alone(
    app: Quart, admin_client: QuartClient, root: int, action: str
) -> None:
    """Admins author by being admins; a hand-made post changes nothing and says why."""
    other = await make_user(app, "other_admin", is_admin=True)
    for admin_id in (root, other):
        response = await act(admin_client, admin_id, action, htmx=True)
        body = await text(response)
        assert response.status_code == 200
        assert flashes(body) == ["Admins are authors already: there is nothing to change."]
        assert 'role="alert"' in body
    assert not (await fetch_user(app, "other_admin")).is_author
    assert (await fetch_user(app, "other_admin")).may_author


@pytest.mark.parametrize("action", ["make-author", "remove-author"])
async def test_members_cannot_change_authoring(
    app: Quart, root: int, grace: int, action: str
) -> None:
    await make_user(app, "ada")
    client = await signed_in(app, "ada")
    if action == "remove-author":
        await act(await signed_in(app, "root"), grace, "make-author")
    plain = await act(client, grace, action)
    htmx = await act(client, grace, action, htmx=True)
    assert plain.status_code == 403
    assert htmx.status_code == 403
    assert "do not have permission" in await text(plain)
    assert (await fetch_user(app, "grace")).is_author is (action == "remove-author")


async def test_an_author_cannot_make_another_author(app: Quart, root: int, grace: int) -> None:
    """Authoring is no admin right: an author's post is refused like anyone's."""
    await act(await signed_in(app, "root"), grace, "make-author")
    await make_user(app, "ada")
    response = await act(await signed_in(app, "grace"), "ada", "make-author")
    assert response.status_code in (403, 404)
    assert not (await fetch_user(app, "ada")).is_author


@pytest.mark.parametrize("action", ["make-author", "remove-author"])
async def test_anonymous_visitors_cannot_change_authoring(
    app: Quart, grace: int, action: str
) -> None:
    response = await act(app.test_client(), grace, action)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    assert not (await fetch_user(app, "grace")).is_author


@pytest.mark.parametrize("action", ["make-author", "remove-author"])
async def test_authoring_needs_csrf_post_and_a_real_user(
    app: Quart, admin_client: QuartClient, grace: int, action: str
) -> None:
    await admin_client.get("/admin/users")
    assert (await admin_client.post(f"/admin/users/{grace}/{action}")).status_code == 403
    assert (await admin_client.get(f"/admin/users/{grace}/{action}")).status_code == 405
    assert (await act(admin_client, 999, action)).status_code == 404
    assert (await act(admin_client, 999, action, htmx=True)).status_code == 404
    assert not (await fetch_user(app, "grace")).is_author
