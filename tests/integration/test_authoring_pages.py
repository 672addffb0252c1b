"""Authoring pages: My quizzes, new quiz, the editor's questions (with htmx and without),
preview, publishing and the way out, with who may see what."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from quart import Quart
from quart import Response
from sqlmodel import col
from sqlmodel import func
from sqlmodel import select
from sqlmodel import update

from tests.integration.quiz_helpers import Player
from tests.integration.quiz_helpers import read
from tests.integration.quiz_helpers import sign_in
from web.db import get_session
from web.kinds import KINDS
from web.models import Attempt
from web.models import RevisionQuestion
from web.models import User
from web.models import UserAnswer

SETTINGS = {
    "title": "Coffee Quiz",
    "description": "About coffee.",
    "category": "Food",
    "difficulty": "easy",
    "time_limit_minutes": "",
    "feedback_mode": "immediate",
}


async def author(app: Quart, name: str = "writer") -> Player:
    player = await sign_in(app, name)
    async with app.app_context():
        session = get_session()
        await session.exec(
            update(User).where(col(User.id) == player.user_id).values(is_author=True)
        )
        await session.commit()
    return player


async def html(response: Response) -> str:
    return await response.get_data(as_text=True)


async def create(player: Player, title: str = "Coffee Quiz") -> str:
    response = await player.post("/my-quizzes/new", SETTINGS | {"title": title})
    assert response.status_code == 303, await html(response)
    return response.headers["Location"].removeprefix("/my-quizzes/")


async def question_ids(app: Quart) -> list[int]:
    async with app.app_context():
        rows = await get_session().exec(
            select(RevisionQuestion).order_by(
                col(RevisionQuestion.revision_id).desc(), col(RevisionQuestion.position)
            )
        )
        found = list(rows.all())
        latest = found[0].revision_id if found else None
        return [row.question_id for row in found if row.revision_id == latest]


async def add(player: Player, slug: str, kind: str, *, htmx: bool = False) -> Response:
    return await player.post(f"/my-quizzes/{slug}/questions", {"kind": kind}, htmx=htmx)


def one_h1(page: str) -> str:
    headings = read(page).all("h1")
    assert len(headings) == 1, headings
    return headings[0]


def labelled(page: str, *labels: str) -> None:
    """Every named field has its label (the outline maps input ids to label text)."""
    names = set(read(page).labels.values())
    for label in labels:
        assert label in names, (label, sorted(names))


# --------------------------------------------------------------------------- who may


async def test_my_quizzes_is_for_authors(app: Quart) -> None:
    anonymous = app.test_client()
    response = await anonymous.get("/my-quizzes")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")

    player = await sign_in(app, "reader")
    home = await html(await player.get("/"))
    assert read(home).link("My quizzes") is None
    refused = await player.get("/my-quizzes")
    assert refused.status_code == 403
    assert "Only authors write quizzes" in await html(refused)
    assert (await player.get("/my-quizzes/new")).status_code == 403
    assert (await player.post("/my-quizzes/new", SETTINGS)).status_code == 403


async def test_another_authors_quiz_does_not_exist_for_you(app: Quart) -> None:
    owner = await author(app, "owner")
    slug = await create(owner)
    await add(owner, slug, "true_false")
    (question,) = await question_ids(app)
    other = await author(app, "other")
    edit = f"/my-quizzes/{slug}/questions/{question}/edit"
    for path in (f"/my-quizzes/{slug}", f"/my-quizzes/{slug}/publish", edit,
                 f"/my-quizzes/{slug}/preview"):  # fmt: skip
        assert (await other.get(path)).status_code == 404, path
    for path in (f"/my-quizzes/{slug}/questions/{question}/delete", f"/my-quizzes/{slug}/archive"):
        assert (await other.post(path, {"confirmed": "yes"})).status_code == 404, path
    assert read(await html(await other.get("/my-quizzes"))).link("Coffee Quiz") is None


async def test_bad_input_is_a_4xx_never_a_500(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    other = await create(player, "Tea Quiz")
    await add(player, other, "numeric")
    (foreign,) = await question_ids(app)
    assert (await add(player, slug, "essay")).status_code == 422
    assert (await add(player, slug, "")).status_code == 422
    assert (await player.get(f"/my-quizzes/{slug}/questions/999/edit")).status_code == 404
    assert (await player.get(f"/my-quizzes/{slug}/questions/{foreign}/edit")).status_code == 404
    assert (await player.post(f"/my-quizzes/{slug}/questions/{foreign}", {})).status_code == 404
    assert (await player.post(f"/my-quizzes/{slug}/questions/0/move", {})).status_code == 404
    assert (await player.get("/my-quizzes/no-such-quiz")).status_code == 404
    assert (await player.get(f"/my-quizzes/{slug}/preview")).status_code == 409  # no questions
    assert (await player.post(f"/my-quizzes/{slug}/settings", {})).status_code == 422
    assert (await player.post(f"/my-quizzes/{slug}/publish", {})).status_code == 409


# --------------------------------------------------------------------------- pages


async def test_an_author_creates_a_quiz_and_errors_keep_what_was_typed(app: Quart) -> None:
    player = await author(app)
    home = await html(await player.get("/"))
    assert read(home).link("My quizzes") == "/my-quizzes"
    listing = await html(await player.get("/my-quizzes"))
    assert one_h1(listing) == "My quizzes"
    assert read(listing).link("New quiz") == "/my-quizzes/new"

    form = await html(await player.get("/my-quizzes/new"))
    one_h1(form)
    labelled(form, "Title", "Description", "Category", "Difficulty", "Time limit (minutes)",
             "Feedback mode", "Shuffle questions", "Shuffle answers")  # fmt: skip
    assert "Save quiz" in read(form).all("button")

    refused = await player.post(
        "/my-quizzes/new", SETTINGS | {"title": "", "time_limit_minutes": "x"}
    )
    assert refused.status_code == 422
    page = await html(refused)
    assert re.search(
        r'id="field-title"[^>]*aria-invalid="true"[^>]*aria-describedby="field-title-error"', page
    )
    assert 'id="field-title-error"' in page
    assert 'value="About coffee."' not in page  # a textarea keeps it as text
    assert ">About coffee.</textarea>" in page
    assert 'value="x"' in page
    fragment = await player.post("/my-quizzes/new", SETTINGS | {"title": ""}, htmx=True)
    assert fragment.status_code == 422
    assert "<html" not in await html(fragment)
    assert 'id="quiz-settings"' in await html(fragment)

    slug = await create(player)
    assert slug == "coffee-quiz"
    editor = await html(await player.get(f"/my-quizzes/{slug}"))
    assert one_h1(editor) == "Coffee Quiz"
    assert "Status: Draft" in read(editor).text
    assert 'value="Coffee Quiz"' in editor
    labelled(editor, "Title", "Question type")
    options = re.findall(r'<option value="([a-z_]+)">([^<]+)</option>', editor)
    assert [label for _, label in options if _ in KINDS] == [k.label for k in KINDS.values()]
    listing = read(await html(await player.get("/my-quizzes")))
    assert listing.link("Coffee Quiz") == f"/my-quizzes/{slug}"
    assert "Draft" in listing.text


async def test_settings_are_saved_and_refused_in_place(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    changed = SETTINGS | {
        "title": "Strong Coffee",
        "time_limit_minutes": "5",
        "shuffle_questions": "on",
    }
    response = await player.post(f"/my-quizzes/{slug}/settings", changed, htmx=True)
    assert response.headers["HX-Redirect"] == f"/my-quizzes/{slug}"
    editor = await html(await player.get(f"/my-quizzes/{slug}"))
    assert "Settings saved." in editor
    assert 'value="Strong Coffee"' in editor
    assert 'value="5"' in editor
    assert re.search(r'name="shuffle_questions" value="on" checked', editor)
    refused = await player.post(
        f"/my-quizzes/{slug}/settings", changed | {"category": ""}, htmx=True
    )
    assert refused.status_code == 422
    assert 'aria-describedby="field-category-error"' in await html(refused)
    assert "data-swap-focus" in await html(refused)


# --------------------------------------------------------------------------- questions


async def test_every_kind_is_added_and_listed_as_question_n(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    for name in KINDS:
        response = await add(player, slug, name)
        assert response.status_code == 303
        assert re.fullmatch(rf"/my-quizzes/{slug}/questions/\d+/edit", response.headers["Location"])
    editor = await html(await player.get(f"/my-quizzes/{slug}"))
    for n, item in enumerate(KINDS.values(), start=1):
        assert f">Question {n}</h3>" in editor
        assert item.label in editor
    buttons = read(editor).all("button")
    for name in ("Edit", "Duplicate", "Move up", "Move down", "Delete"):
        assert buttons.count(name) == len(KINDS), name
    assert editor.count('aria-labelledby="question-') == len(KINDS)


async def test_htmx_add_opens_the_new_question_in_place(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    response = await add(player, slug, "numeric", htmx=True)
    page = await html(response)
    assert response.status_code == 200
    assert '<div id="question-list">' in page
    assert re.search(
        r'<legend id="question-\d+-heading" tabindex="-1" data-swap-focus>Question 1</legend>', page
    )
    assert "Save question" in read(page).all("button")
    assert 'id="announcer" hx-swap-oob="innerHTML">Question added.' in page


async def test_a_question_is_edited_on_its_own_page_and_saved(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "true_false")
    (question,) = await question_ids(app)
    page = await html(await player.get(f"/my-quizzes/{slug}/questions/{question}/edit"))
    one_h1(page)
    labelled(page, "Question text", "Points", "Explanation", "Text format")
    assert {"Save question"} <= set(read(page).all("button"))
    assert read(page).link("Cancel") == f"/my-quizzes/{slug}#question-{question}"
    form = {"text": "Is water wet?", "points": "2", "explanation": "It is.", "text_format": "plain",
            "version": "1", "correct-answer": "false"}  # fmt: skip
    saved = await player.post(f"/my-quizzes/{slug}/questions/{question}", form)
    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/my-quizzes/{slug}#question-{question}"
    editor = await html(await player.get(f"/my-quizzes/{slug}"))
    assert "Is water wet?" in editor
    assert "2 points" in editor
    async with app.app_context():
        row = (await get_session().exec(select(RevisionQuestion))).one()
        assert (row.body["answer"], row.version) == (False, 2)


async def test_htmx_edit_save_and_cancel_swap_the_item(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "short_answer")
    (question,) = await question_ids(app)
    base = f"/my-quizzes/{slug}/questions/{question}"
    editor = await html(await player.get(f"{base}/edit", htmx=True))
    assert editor.startswith(f'<li id="question-{question}"')
    assert "data-swap-focus>Question 1</legend>" in editor
    cancel = await html(await player.get(base, htmx=True))
    assert cancel.startswith(f'<li id="question-{question}"')
    assert "Save question" not in cancel
    assert "data-swap-focus>Question 1</h3>" in cancel

    refused = await player.post(base, {"text": "", "points": "-1", "version": "1"}, htmx=True)
    assert refused.status_code == 422
    page = await html(refused)
    invalid = f'id="q{question}-text" name="text" aria-invalid="true"'
    assert f'{invalid} aria-describedby="q{question}-text-error"' in page
    assert 'value="-1"' in page
    assert "data-swap-focus" in page
    form = {"text": "Name a bean", "points": "1", "version": "1", "answer-1-text": "Arabica",
            "answer-1-weight": "", "answer-1-feedback": ""}  # fmt: skip
    saved = await player.post(base, form, htmx=True)
    assert saved.status_code == 200, await html(saved)
    item = await html(saved)
    assert item.startswith(f'<li id="question-{question}"')
    assert "Name a bean" in item
    assert "Question saved." in item  # out of band into #messages


async def test_an_add_row_button_saves_nothing(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "single_choice")
    (question,) = await question_ids(app)
    form = {"text": "Changed?", "points": "1", "version": "1", "add": "choice",
            "choice-1-text": "A", "choice-1-correct": "on"}  # fmt: skip
    response = await player.post(f"/my-quizzes/{slug}/questions/{question}", form, htmx=True)
    assert response.status_code == 200
    assert 'value="Changed?"' not in await html(response)  # a textarea holds it
    assert ">Changed?</textarea>" in await html(response)
    async with app.app_context():
        row = (await get_session().exec(select(RevisionQuestion))).one()
        assert (row.text, row.version) == ("New single choice question", 1)


async def test_a_save_over_a_newer_version_is_a_409_showing_both(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "true_false")
    (question,) = await question_ids(app)
    path = f"/my-quizzes/{slug}/questions/{question}"
    form = {"text": "Mine first", "points": "1", "version": "1", "correct-answer": "true"}
    assert (await player.post(path, form)).status_code == 303
    conflict = await player.post(path, form | {"text": "Mine again"}, htmx=True)
    assert conflict.status_code == 409
    page = await html(conflict)
    assert ">Mine again</textarea>" in page  # the author's version, still editable
    assert re.search(r"<h4 [^>]*>Saved version</h4>", page)
    assert "Mine first" in read(page).all("dd")
    assert 'name="version" value="2"' in page
    again = await player.post(path, form | {"text": "Mine again", "version": "2"})
    assert again.status_code == 303


async def test_move_duplicate_and_delete(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    for name in ("true_false", "numeric", "ordering"):
        await add(player, slug, name)
    first, second, third = await question_ids(app)
    base = f"/my-quizzes/{slug}/questions"

    moved = await player.post(f"{base}/{first}/move", {"direction": "down"}, htmx=True)
    page = await html(moved)
    assert 'id="announcer" hx-swap-oob="innerHTML">Question moved to position 2 of 3.' in page
    assert (
        f'<h3 id="question-{first}-heading" tabindex="-1" data-swap-focus>Question 2</h3>' in page
    )
    assert await question_ids(app) == [second, first, third]
    plain = await player.post(f"{base}/{first}/move", {"direction": "up"})
    assert plain.headers["Location"] == f"/my-quizzes/{slug}#question-{first}"
    assert "Question moved to position 1 of 3." in await html(
        await player.get(f"/my-quizzes/{slug}")
    )

    copied = await html(await player.post(f"{base}/{third}/duplicate", htmx=True))
    ids = await question_ids(app)
    assert len(ids) == 4
    assert ids[:3] == [first, second, third]
    assert f'<h3 id="question-{ids[3]}-heading" tabindex="-1" data-swap-focus>' in copied

    confirm = await player.post(f"{base}/{second}/delete")
    assert confirm.status_code == 200
    page = await html(confirm)
    assert one_h1(page).startswith("Delete question 2")
    assert read(page).all("button").count("Delete") == 1
    assert await question_ids(app) == ids
    done = await player.post(f"{base}/{second}/delete", {"confirmed": "yes"})
    assert done.status_code == 303
    assert second not in await question_ids(app)
    gone = await html(await player.post(f"{base}/{third}/delete", htmx=True))  # hx-confirm asked
    assert "Question deleted." in gone
    assert "Questions (2)" in gone
    editor = await html(await player.get(f"/my-quizzes/{slug}"))
    assert 'hx-confirm="Delete question 1?' in editor


# --------------------------------------------------------------------------- preview


async def test_preview_grades_without_storing(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "true_false")
    await add(player, slug, "single_choice")
    first, _ = await question_ids(app)
    page = await html(await player.get(f"/my-quizzes/{slug}/preview"))
    assert one_h1(page) == "Preview: Coffee Quiz"
    assert "Question 1 of 2" in read(page).text
    assert f'action="/my-quizzes/{slug}/preview/1"' in page
    assert "Submit answer" in read(page).all("button")

    refused = await player.post(f"/my-quizzes/{slug}/preview/1", {}, htmx=True)
    assert refused.status_code == 422
    right = await player.post(f"/my-quizzes/{slug}/preview/1", {"choice": "true"}, htmx=True)
    feedback = await html(right)
    assert "<html" not in feedback
    assert "Correct" in read(feedback).all("h2")
    assert "You earned 1 of 1 point" in read(feedback).text
    assert f'hx-get="/my-quizzes/{slug}/preview/2"' in feedback
    wrong = await html(await player.post(f"/my-quizzes/{slug}/preview/2", {"choice": "2"}))
    assert "Incorrect" in read(wrong).all("h2")
    assert "See results" in read(wrong).all("button")
    assert f'action="/my-quizzes/{slug}/preview/done"' in wrong
    done = await html(await player.get(f"/my-quizzes/{slug}/preview/done"))
    assert one_h1(done).startswith("End of preview")
    assert (await player.get(f"/my-quizzes/{slug}/preview/3")).status_code == 404
    async with app.app_context():
        session = get_session()
        assert (await session.exec(select(func.count()).select_from(Attempt))).one() == 0
        assert (await session.exec(select(func.count()).select_from(UserAnswer))).one() == 0
    assert first


# --------------------------------------------------------------------------- publishing


async def test_publish_unpublish_discard_archive_and_restore(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    editor = f"/my-quizzes/{slug}"
    plan = await html(await player.get(f"{editor}/publish"))
    assert "Add at least one question before publishing." in plan
    assert "Publish" not in read(plan).all("button")
    await add(player, slug, "true_false")
    plan = await html(await player.get(f"{editor}/publish"))
    one_h1(plan)
    assert "Added: New true/false question (question 1)" in read(plan).text
    assert read(plan).all("button").count("Publish") == 1
    published = await player.post(f"{editor}/publish")
    assert published.headers["Location"] == editor
    page = await html(await player.get(editor))
    assert "Status: Published" in read(page).text
    assert "Published: revision 1" in page
    assert "Publish" not in read(page).all("button")  # nothing to publish
    assert "Unpublish" in read(page).all("button")
    assert (await player.get(f"/quizzes/{slug}")).status_code == 200

    await add(player, slug, "numeric")
    page = await html(await player.get(editor))
    assert "Status: Unpublished changes" in read(page).text
    confirm = await player.post(f"{editor}/discard")
    assert confirm.status_code == 200
    assert "Discard draft" in read(await html(confirm)).all("button")
    assert (await player.post(f"{editor}/discard", {"confirmed": "yes"})).status_code == 303
    assert "Status: Published" in read(await html(await player.get(editor))).text

    assert (await player.post(f"{editor}/unpublish")).status_code == 303
    assert "Status: Unpublished" in read(await html(await player.get(editor))).text

    confirm = await player.post(f"{editor}/archive")
    assert "Archive quiz" in read(await html(confirm)).all("button")
    archived = await player.post(f"{editor}/archive", {}, htmx=True)  # hx-confirm asked
    assert archived.headers["HX-Redirect"] == editor
    page = await html(await player.get(editor))
    assert "Restore quiz" in read(page).all("button")
    assert "Archived" in read(await html(await player.get("/my-quizzes"))).text
    assert (await player.post(f"{editor}/restore")).status_code == 303
    assert "Archive quiz" in read(await html(await player.get(editor))).all("button")


async def test_every_authoring_page_gives_htmx_its_content_alone(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "matching")
    (question,) = await question_ids(app)
    for path in ("/my-quizzes", "/my-quizzes/new", f"/my-quizzes/{slug}",
                 f"/my-quizzes/{slug}/publish", f"/my-quizzes/{slug}/preview",
                 f"/my-quizzes/{slug}/questions/{question}/edit"):  # fmt: skip
        page = await player.get(path)
        assert page.status_code == 200, path
        assert "HX-Request" in page.headers.get("Vary", ""), path
        one_h1(await html(page))
        fragment = await html(await player.get(path, htmx=True))
        assert "<html" not in fragment, path


# --------------------------------------------------------------------------- kind editors


class _FormReader(HTMLParser):
    """The fields a browser would send from the page's question editor form, and its
    "Add …" buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self.adds: list[str] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        name = given.get("name", "")
        if tag == "button" and name == "add":
            self.adds.append(given["value"])
        elif tag == "input" and name and name != "csrf_token":
            if given.get("type") not in ("checkbox", "radio") or "checked" in given:
                self.fields[name] = given.get("value", "on")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
        elif (
            tag == "option"
            and self._select
            and (self._select not in self.fields or "selected" in given)
        ):
            self.fields[self._select] = given.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data


def editor_form(page: str) -> _FormReader:
    start = page.index('<li id="question-')
    reader = _FormReader()
    reader.feed(page[start : page.index("</form>", start)])
    return reader


@pytest.mark.parametrize("kind", list(KINDS))
async def test_every_kind_is_edited_through_its_editor(app: Quart, kind: str) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, kind)
    (question,) = await question_ids(app)
    path = f"/my-quizzes/{slug}/questions/{question}"
    form = editor_form(await html(await player.get(f"{path}/edit")))
    assert form.fields["version"] == "1"
    for row in form.adds:  # each "Add …" shows one more row and saves nothing
        more = await player.post(path, form.fields | {"add": row}, htmx=True)
        assert more.status_code == 200
        assert len(editor_form(await html(more)).fields) > len(form.fields), row
    saved = await player.post(path, form.fields | {"text": f"Edited {kind}", "points": "3"})
    assert saved.status_code == 303, await html(saved)
    async with app.app_context():
        row = (await get_session().exec(select(RevisionQuestion))).one()
        assert (row.text, row.points, row.version) == (f"Edited {kind}", 3.0, 2)
        assert row.body == KINDS[kind].body.model_validate(KINDS[kind].starter).model_dump(
            mode="json"
        )


async def test_a_body_the_kind_refuses_is_a_422_with_its_errors(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "single_choice")
    (question,) = await question_ids(app)
    path = f"/my-quizzes/{slug}/questions/{question}"
    form = editor_form(await html(await player.get(f"{path}/edit"))).fields
    unticked = {name: value for name, value in form.items() if not name.endswith("-correct")}
    refused = await player.post(path, unticked, htmx=True)
    assert refused.status_code == 422
    page = await html(refused)
    assert 'role="alert"' in page
    assert "needs one choice worth 100%" in page
    assert "data-swap-focus>Question 1</legend>" in page


async def test_a_published_question_is_edited_into_a_new_draft(app: Quart) -> None:
    player = await author(app)
    slug = await create(player)
    await add(player, slug, "true_false")
    (question,) = await question_ids(app)
    path = f"/my-quizzes/{slug}/questions/{question}"
    form = editor_form(await html(await player.get(f"{path}/edit"))).fields
    assert (await player.post(path, form | {"text": "Saved once"})).status_code == 303
    assert (await player.post(f"/my-quizzes/{slug}/publish")).status_code == 303
    form = editor_form(await html(await player.get(f"{path}/edit"))).fields
    saved = await player.post(path, form | {"text": "Changed after publishing"})
    assert saved.status_code == 303, await html(saved)
    page = await html(await player.get(f"/my-quizzes/{slug}"))
    assert "Status: Unpublished changes" in read(page).text


async def test_long_question_text_is_kept_whole_or_refused_never_cut(app: Quart) -> None:
    """A form field's cap sits one past its own limit: 1,500 characters are saved whole,
    and text over the limit is refused with the text still there, never silently cut."""
    from web.forms.quiz_import import QUESTION_TEXT_LIMIT

    player = await author(app)
    slug = await create(player)
    await add(player, slug, "true_false")
    (question_id,) = await question_ids(app)
    url = f"/my-quizzes/{slug}/questions/{question_id}"
    long_text = "Why " + "x" * 1500 + "?"
    base = {"points": "1", "explanation": "", "text_format": "plain", "correct-answer": "true",
            "version": "1"}  # fmt: skip
    saved = await player.post(url, {**base, "text": long_text})
    assert saved.status_code == 303
    async with app.app_context():
        row = (
            await get_session().exec(
                select(RevisionQuestion).where(col(RevisionQuestion.question_id) == question_id)
            )
        ).one()
        assert row.text == long_text
    too_long = await player.post(url, {**base, "text": "y" * (QUESTION_TEXT_LIMIT + 5),
                                       "version": "2"})  # fmt: skip
    assert too_long.status_code == 422
    assert f"Use at most {QUESTION_TEXT_LIMIT} characters." in await too_long.get_data(True)
