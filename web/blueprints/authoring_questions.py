"""Blueprint: the questions of a quiz's draft, in its editor: add, edit in place (or on a
page of their own without JavaScript), save with the version check, duplicate, move, delete.

htmx swaps one list item (edit, save, cancel) or the whole list (add, duplicate, move,
delete); plain forms post and are redirected back to the editor (post/redirect/get).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quart import Blueprint
from quart import Response
from quart import flash
from quart import render_template
from quart import request
from quart import url_for

from web.auth import login_required
from web.auth import require_account
from web.blueprints.authoring import authoring_error
from web.db import get_session
from web.forms import small_int
from web.forms.authoring import parse_question_fields
from web.htmx import fragment
from web.htmx import is_htmx
from web.htmx import page_or_fragment
from web.htmx import redirect_to
from web.htmx import render_component
from web.kinds import KINDS
from web.models import RevisionQuestion
from web.services import drafts
from web.services.authoring import AuthoringError
from web.services.authoring import status_of

blueprint = Blueprint("authoring_questions", __name__, url_prefix="/my-quizzes/<slug>/questions")
blueprint.register_error_handler(AuthoringError, authoring_error)

ADD_ROWS = frozenset({"choice", "answer", "item", "pair", "distractor"})


def _editor_url(slug: str, question_id: int | None = None) -> str:
    anchor = f"#question-{question_id}" if question_id else ""
    return url_for("authoring.quiz_editor", slug=slug) + anchor


def stored_values(row: RevisionQuestion) -> dict[str, str]:
    return {
        "text": row.text,
        "points": f"{row.points:g}",
        "explanation": row.explanation,
        "text_format": row.text_format,
    }


def editor_params(editing: drafts.Editing, row: RevisionQuestion) -> dict[str, Any]:
    """What question_editor shows for a row as saved. A row not yet in a draft is copied
    into one at version 1 by the first save (services.drafts.ensure_draft), so that is the
    version this editor opened."""
    return {
        "quiz": editing.quiz,
        "question": row,
        "total": len(editing.questions),
        "values": stored_values(row),
        "body": KINDS[row.kind].editor_body(row.body),
        "errors": {},
        "version": row.version if editing.is_draft else 1,
    }


async def _list(
    editing: drafts.Editing,
    *,
    focus_id: int | None = None,
    edit_id: int | None = None,
    announce: str | None = None,
) -> Response:
    """The whole list, with the quiz's status line out of band (the first edit of a
    published quiz makes it "Unpublished changes")."""
    editor = None
    if edit_id is not None:
        editor = editor_params(editing, editing.question(edit_id)) | {"focus": True}
    return await fragment(
        "question_list",
        editing=editing,
        quiz_status=status_of(editing.quiz, editing.is_draft),
        focus_id=focus_id,
        editor=editor,
        announce=announce,
        status_oob=True,
    )


async def _after(slug: str, question_id: int | None, message: str, **params: Any) -> Response:
    """htmx: the list again; a plain form: back to the editor at the question, with the
    message in the page's status region."""
    if not is_htmx():
        await flash(message, "success")
        return redirect_to(_editor_url(slug, question_id))
    editing = await drafts.editing(get_session(), await require_account(), slug)
    return await _list(editing, **params)


@blueprint.post("")
@login_required
async def add_question(slug: str) -> Response:
    kind = (await request.form).get("kind") or ""
    session, user = get_session(), await require_account()
    question_id = await drafts.add_question(session, user, slug, kind)
    if not is_htmx():
        return redirect_to(url_for(".question_editor", slug=slug, question_id=question_id))
    editing = await drafts.editing(session, user, slug)
    return await _list(editing, edit_id=question_id, announce="Question added.")


@blueprint.get("/<id:question_id>")
@login_required
async def question_item(slug: str, question_id: int) -> Response:
    """A question as the list shows it: what "Cancel" swaps back in."""
    editing = await drafts.editing(get_session(), await require_account(), slug)
    row = editing.question(question_id)
    if not is_htmx():
        return redirect_to(_editor_url(slug, question_id))
    return await fragment(
        "question_item", quiz=editing.quiz, question=row, total=len(editing.questions), focus=True
    )


async def _editor(status: int = 200, **params: Any) -> Response:
    """The question's editor: the list item alone for htmx, a page of its own otherwise."""
    return await page_or_fragment(
        "pages/authoring/question.html", "question_editor", status=status, focus=True, **params
    )


@blueprint.get("/<id:question_id>/edit")
@login_required
async def question_editor(slug: str, question_id: int) -> Response:
    editing = await drafts.editing(get_session(), await require_account(), slug)
    return await _editor(**editor_params(editing, editing.question(question_id)))


def _typed(
    form: Mapping[str, str], row: RevisionQuestion, kind_body: dict[str, Any]
) -> dict[str, Any]:
    """What the author sent, to show again in the editor."""
    return {
        "values": parse_question_fields(form).values,
        "body": kind_body,
        "version": small_int(form.get("version", ""), digits=9) or row.version,
    }


@blueprint.post("/<id:question_id>")
@login_required
async def save_question(slug: str, question_id: int) -> Response:
    form = await request.form
    session, user = get_session(), await require_account()
    editing = await drafts.editing(session, user, slug)
    row = editing.question(question_id)
    body = KINDS[row.kind].from_form(form)
    params = editor_params(editing, row) | _typed(form, row, body)
    add = form.get("add")
    if add:  # an "Add …" button: one more empty row, nothing saved
        return await _editor(**params, add=add if add in ADD_ROWS else None)
    parsed = parse_question_fields(form)
    if parsed.data is None:
        return await _editor(422, **params | {"errors": parsed.errors})
    try:
        saved = await drafts.save_question(
            session, user, slug, question_id,
            version=params["version"], fields=parsed.data, body=body,
        )  # fmt: skip
    except drafts.BodyInvalidError as error:
        return await _editor(422, **params | {"errors": error.errors})
    except drafts.EditConflictError as conflict:
        params |= {"conflict": conflict.current, "version": conflict.expected}
        return await _editor(409, **params | {"message": conflict.message})
    if not is_htmx():
        await flash("Question saved.", "success")
        return redirect_to(_editor_url(slug, question_id))
    item = await render_component(
        "question_item", quiz=editing.quiz, question=saved, total=len(editing.questions),
        focus=True, message="Question saved.",
    )  # fmt: skip
    # The first save of a published quiz made a draft: "Publish" and the status follow.
    editing = await drafts.editing(session, user, slug)
    status = status_of(editing.quiz, editing.is_draft)
    actions = await render_component("quiz_actions", editing=editing, quiz_status=status, oob=True)
    return Response(item + actions, mimetype="text/html")


@blueprint.post("/<id:question_id>/duplicate")
@login_required
async def duplicate_question(slug: str, question_id: int) -> Response:
    copy = await drafts.duplicate_question(
        get_session(), await require_account(), slug, question_id
    )
    return await _after(slug, copy, "Question duplicated.", focus_id=copy,
                        announce="Question duplicated.")  # fmt: skip


@blueprint.post("/<id:question_id>/move")
@login_required
async def move_question(slug: str, question_id: int) -> Response:
    by = -1 if (await request.form).get("direction") == "up" else 1
    session, user = get_session(), await require_account()
    position = await drafts.move_question(session, user, slug, question_id, by=by)
    editing = await drafts.editing(session, user, slug)
    message = f"Question moved to position {position} of {len(editing.questions)}."
    if not is_htmx():
        await flash(message, "success")
        return redirect_to(_editor_url(slug, question_id))
    return await _list(editing, focus_id=question_id, announce=message)


@blueprint.post("/<id:question_id>/delete")
@login_required
async def delete_question(slug: str, question_id: int) -> Response:
    """htmx asked with hx-confirm already; a plain form asks on a page whose button is
    "Delete" again (CONTRACT.md)."""
    session, user = get_session(), await require_account()
    if not is_htmx() and (await request.form).get("confirmed") != "yes":
        editing = await drafts.editing(session, user, slug)
        row = editing.question(question_id)
        html = await render_template("pages/authoring/delete_question.html", quiz=editing.quiz,
                                     question=row)  # fmt: skip
        return Response(html, mimetype="text/html")
    await drafts.delete_question(session, user, slug, question_id)
    return await _after(slug, None, "Question deleted.", announce="Question deleted.")
