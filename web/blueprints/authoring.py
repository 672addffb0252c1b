"""Blueprint: authors' quizzes: My quizzes, new quiz, the editor page, publishing and the
way out (unpublish, discard, archive); questions live in authoring_questions.py, the
preview in authoring_preview.py."""

from __future__ import annotations

import re
from typing import Any

from quart import Blueprint
from quart import Response
from quart import flash
from quart import render_template
from quart import request
from quart import url_for

from web.auth import login_required
from web.auth import require_account
from web.db import get_session
from web.errors import render_problem
from web.forms.authoring import parse_quiz_settings
from web.htmx import fragment
from web.htmx import is_htmx
from web.htmx import redirect_to
from web.kinds import KINDS
from web.models import RevisionQuestion
from web.services import archive
from web.services import authoring
from web.services import drafts
from web.services import publishing
from web.services.authoring import AuthoringError

blueprint = Blueprint("authoring", __name__, url_prefix="/my-quizzes")

FIELD_NAMES = {
    "text": "Question text",
    "points": "Points",
    "explanation": "Explanation",
    "text_format": "Text format",
}
NEW_QUIZ = {"difficulty": "easy", "feedback_mode": "immediate"}


async def authoring_error(error: AuthoringError) -> Response:
    return await render_problem(error.status, error.message)


blueprint.register_error_handler(AuthoringError, authoring_error)


@blueprint.app_template_global()
def kind_label(name: str) -> str:
    """What authors call a stored kind ("Single choice"), for every authoring template."""
    found = KINDS.get(name)
    return found.label if found else name


@blueprint.app_template_global()
def field_name(path: str) -> str:
    """An editor's error path in words: "choices[1].text" reads "Choice 2 text"."""
    if path in ("", "document"):
        return "Answers"
    words = []
    for part in re.findall(r"[a-z_]+|\[\d+\]", path):
        if part.startswith("["):
            words.append(str(int(part[1:-1]) + 1))
        else:
            words.append(part.replace("_", " ").removesuffix("s") if not words else part)
    text = " ".join(words).replace("_", " ")
    return FIELD_NAMES.get(path, text[:1].upper() + text[1:])


@blueprint.app_template_global()
def saved_answer(row: RevisionQuestion) -> str:
    """The right answer of a saved question, in the kind's words."""
    found = KINDS.get(row.kind)
    if found is None:
        return ""
    try:
        return found.body.model_validate(row.body).solution()
    except ValueError:
        return ""


async def _page(template: str, *, status: int = 200, **params: object) -> Response:
    """A whole page (htmx gets its content block: layouts/base.html)."""
    html = await render_template(template, **params)
    return Response(html, status=status, mimetype="text/html")


def editor_url(slug: str) -> str:
    return url_for("authoring.quiz_editor", slug=slug)


async def _confirmed() -> bool:
    """htmx asked with hx-confirm already; a plain form asks on a page first."""
    return is_htmx() or (await request.form).get("confirmed") == "yes"


@blueprint.get("")
@login_required
async def my_quizzes() -> Response:
    listed = await authoring.my_quizzes(get_session(), await require_account())
    return await _page("pages/authoring/my_quizzes.html", quizzes=listed)


@blueprint.get("/new")
@login_required
async def new_quiz() -> Response:
    authoring.require_author(await require_account())
    return await _page(
        "pages/authoring/new_quiz.html",
        action=url_for("authoring.create_quiz"),
        values=NEW_QUIZ,
        errors={},
    )


@blueprint.post("/new")
@login_required
async def create_quiz() -> Response:
    user = await require_account()
    authoring.require_author(user)
    parsed = parse_quiz_settings(await request.form)
    if parsed.data is None:
        form: dict[str, Any] = {"values": parsed.values, "errors": parsed.errors}
        action = url_for("authoring.create_quiz")
        if is_htmx():
            return await fragment("quiz_settings_form", status=422, action=action, **form)
        return await _page("pages/authoring/new_quiz.html", status=422, action=action, **form)
    quiz = await authoring.create_quiz(get_session(), user, parsed.data)
    await flash(f"Created {quiz.title}. Add its questions below.", "success")
    return redirect_to(editor_url(quiz.slug))


def settings_values(editing: drafts.Editing) -> dict[str, str]:
    """The settings form filled from the quiz and the revision shown."""
    quiz, revision = editing.quiz, editing.revision
    seconds = revision.time_limit_seconds if revision else None
    return {
        "title": quiz.title,
        "description": quiz.description or "",
        "category": quiz.category,
        "difficulty": str(quiz.difficulty),
        "time_limit_minutes": str(seconds // 60) if seconds else "",
        "feedback_mode": str(revision.feedback_mode) if revision else "immediate",
        "shuffle_questions": "on" if revision and revision.shuffle_questions else "",
        "shuffle_choices": "on" if revision and revision.shuffle_choices else "",
    }


async def render_editor(
    editing: drafts.Editing,
    *,
    refused: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    """The editor page; a refused settings save (422) gives htmx the settings form alone."""
    quiz = editing.quiz
    form: dict[str, Any] = {
        "action": url_for("authoring.save_settings", slug=quiz.slug),
        "values": values or settings_values(editing),
        "errors": refused or {},
    }
    if refused and is_htmx():
        return await fragment("quiz_settings_form", status=422, **form)
    status = authoring.status_of(quiz, editing.is_draft)
    return await _page("pages/authoring/editor.html", status=422 if refused else 200,
                       editing=editing, quiz_status=status, kinds=KINDS, **form)  # fmt: skip


@blueprint.get("/<slug>")
@login_required
async def quiz_editor(slug: str) -> Response:
    editing = await drafts.editing(get_session(), await require_account(), slug)
    return await render_editor(editing)


@blueprint.post("/<slug>/settings")
@login_required
async def save_settings(slug: str) -> Response:
    session, user = get_session(), await require_account()
    parsed = parse_quiz_settings(await request.form)
    if parsed.data is None:
        editing = await drafts.editing(session, user, slug)
        return await render_editor(editing, refused=parsed.errors, values=parsed.values)
    quiz = await drafts.save_settings(session, user, slug, parsed.data)
    await flash("Settings saved.", "success")
    return redirect_to(editor_url(quiz.slug))


@blueprint.get("/<slug>/publish")
@login_required
async def publish_plan(slug: str) -> Response:
    plan = await publishing.publish_plan(get_session(), await require_account(), slug)
    return await _page("pages/authoring/publish.html", plan=plan)


@blueprint.post("/<slug>/publish")
@login_required
async def publish_quiz(slug: str) -> Response:
    revision = await publishing.publish(get_session(), await require_account(), slug)
    await flash(f"Published: revision {revision.number} is what takers now get.", "success")
    return redirect_to(editor_url(slug))


@blueprint.post("/<slug>/unpublish")
@login_required
async def unpublish_quiz(slug: str) -> Response:
    await publishing.unpublish(get_session(), await require_account(), slug)
    await flash("Unpublished: the quiz is out of the catalog; results stay.", "success")
    return redirect_to(editor_url(slug))


@blueprint.post("/<slug>/discard")
@login_required
async def discard_draft(slug: str) -> Response:
    session, user = get_session(), await require_account()
    if not await _confirmed():
        quiz = await authoring.owned_quiz(session, user, slug)
        return await _page("pages/authoring/confirm.html", quiz=quiz, act="discard")
    await publishing.discard_draft(session, user, slug)
    await flash("Draft discarded: the quiz is as last published.", "success")
    return redirect_to(editor_url(slug))


async def _set_archived(slug: str, *, archived: bool) -> Response:
    session, user = get_session(), await require_account()
    quiz = await authoring.owned_quiz(session, user, slug)  # the rule first: owners, admins
    if archived and not await _confirmed():
        return await _page("pages/authoring/confirm.html", quiz=quiz, act="archive")
    try:
        await archive.set_archived(session, slug, archived=archived)
    except archive.QuizNotFoundError:
        raise authoring.QuizNotFoundError(authoring.NOT_FOUND) from None
    await flash("Quiz archived." if archived else "Quiz restored.", "success")
    return redirect_to(editor_url(slug))


@blueprint.post("/<slug>/archive")
@login_required
async def archive_quiz(slug: str) -> Response:
    return await _set_archived(slug, archived=True)


@blueprint.post("/<slug>/restore")
@login_required
async def restore_quiz(slug: str) -> Response:
    return await _set_archived(slug, archived=False)
