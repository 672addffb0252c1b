"""Authoring services: drafts, questions, publishing and the edit-conflict check, with the
rule of who may edit what."""

from __future__ import annotations

import pytest
from quart import Quart
from sqlmodel import col
from sqlmodel import select
from sqlmodel import update

from tests.integration.quiz_helpers import seed_user
from web.db import get_session
from web.forms.authoring import QuestionFields
from web.forms.authoring import QuizSettings
from web.kinds import KINDS
from web.models import QuizRevision
from web.models import RevisionQuestion
from web.models import User
from web.services import authoring
from web.services import drafts
from web.services import publishing

SETTINGS = QuizSettings(
    title="Café Quiz!",
    description="About coffee.",
    category="Food",
    difficulty="easy",
    time_limit_seconds=None,
    feedback_mode="immediate",
    shuffle_questions=False,
    shuffle_choices=False,
)


async def _user(app: Quart, name: str, **flags: bool) -> User:
    user_id = await seed_user(app, name)
    async with app.app_context():
        session = get_session()
        if flags:
            await session.exec(update(User).where(col(User.id) == user_id).values(**flags))
            await session.commit()
        user = await session.get(User, user_id)
        assert user is not None
        session.expunge(user)
        return user


async def test_a_quiz_is_written_published_and_edited_again(app: Quart) -> None:
    author = await _user(app, "writer", is_author=True)
    async with app.app_context():
        session = get_session()
        quiz = await authoring.create_quiz(session, author, SETTINGS)
        assert quiz.slug == "cafe-quiz"
        ids = [await drafts.add_question(session, author, quiz.slug, kind) for kind in KINDS]
        plan = await publishing.publish_plan(session, author, quiz.slug)
        assert [change.action for change in plan.changes] == ["Added"] * len(KINDS)
        first = await publishing.publish(session, author, quiz.slug)

        # Editing the published quiz makes a draft with the same identities.
        fields = QuestionFields("How strong?", 2.0, "Very.", "plain")
        await drafts.save_question(
            session, author, quiz.slug, ids[0], version=1, fields=fields,
            body=KINDS["single_choice"].starter,
        )  # fmt: skip
        assert await drafts.move_question(session, author, quiz.slug, ids[1], by=-1) == 1
        copy = await drafts.duplicate_question(session, author, quiz.slug, ids[2])
        await drafts.delete_question(session, author, quiz.slug, ids[3])
        plan = await publishing.publish_plan(session, author, quiz.slug)
        summary = sorted((c.action, c.what) for c in plan.changes)
        assert ("Changed", "How strong?") in summary
        assert ("Removed", "New short answer question") in summary
        assert ("Added", "New true/false question") in summary  # the copy
        assert any(action == "Moved" for action, _ in summary)
        second = await publishing.publish(session, author, quiz.slug)
        assert second.number == first.number + 1

        published = (
            await session.exec(
                select(RevisionQuestion.question_id)
                .where(col(RevisionQuestion.revision_id) == first.id)
                .order_by(col(RevisionQuestion.position))
            )
        ).all()
        assert list(published) == ids  # the first revision never changed
        editing = await drafts.editing(session, author, quiz.slug)
        assert not editing.is_draft
        assert [q.question_id for q in editing.questions][:3] == [ids[1], ids[0], ids[2]]
        assert copy in [q.question_id for q in editing.questions]


async def test_a_save_from_an_older_version_is_refused(app: Quart) -> None:
    author = await _user(app, "writer", is_author=True)
    async with app.app_context():
        session = get_session()
        quiz = await authoring.create_quiz(session, author, SETTINGS)
        question = await drafts.add_question(session, author, quiz.slug, "true_false")
        fields = QuestionFields("Is it?", 1.0, "", "plain")
        body = {"answer": False}
        await drafts.save_question(
            session, author, quiz.slug, question, version=1, fields=fields, body=body
        )
        with pytest.raises(drafts.EditConflictError) as conflict:
            await drafts.save_question(
                session, author, quiz.slug, question, version=1, fields=fields, body=body
            )
        assert conflict.value.current.version == 2
        with pytest.raises(drafts.BodyInvalidError) as invalid:
            await drafts.save_question(
                session, author, quiz.slug, question, version=2, fields=fields, body={}
            )
        assert invalid.value.errors == {"answer": "is required"}


async def test_only_owners_and_admins_edit(app: Quart) -> None:
    owner = await _user(app, "owner", is_author=True)
    other = await _user(app, "other", is_author=True)
    admin = await _user(app, "boss", is_admin=True)
    player = await _user(app, "player")
    async with app.app_context():
        session = get_session()
        quiz = await authoring.create_quiz(session, owner, SETTINGS)
        with pytest.raises(authoring.QuizNotFoundError):
            await drafts.add_question(session, other, quiz.slug, "numeric")
        with pytest.raises(authoring.NotAuthorError):
            await drafts.add_question(session, player, quiz.slug, "numeric")
        await drafts.add_question(session, admin, quiz.slug, "numeric")
        assert [q.quiz.slug for q in await authoring.my_quizzes(session, admin)] == [quiz.slug]
        assert await authoring.my_quizzes(session, other) == []
        listed = await authoring.my_quizzes(session, owner)
        assert [(q.status, q.question_count) for q in listed] == [("Draft", 1)]


async def test_discarding_a_draft_keeps_the_published_revision(app: Quart) -> None:
    author = await _user(app, "writer", is_author=True)
    async with app.app_context():
        session = get_session()
        quiz = await authoring.create_quiz(session, author, SETTINGS)
        question = await drafts.add_question(session, author, quiz.slug, "numeric")
        with pytest.raises(authoring.AuthoringError, match="never been published"):
            await publishing.discard_draft(session, author, quiz.slug)
        await publishing.publish(session, author, quiz.slug)
        await drafts.delete_question(session, author, quiz.slug, question)
        assert [q.status for q in await authoring.my_quizzes(session, author)] == [
            "Unpublished changes"
        ]
        await publishing.discard_draft(session, author, quiz.slug)
        revisions = (await session.exec(select(QuizRevision.status))).all()
        assert list(revisions) == ["published"]
        editing = await drafts.editing(session, author, quiz.slug)
        assert [q.question_id for q in editing.questions] == [question]


async def test_a_quiz_is_never_named_like_a_page_of_my_quizzes(app: Quart) -> None:
    author = await _user(app, "writer", is_author=True)
    async with app.app_context():
        session = get_session()
        for title in ("New", "Import"):
            quiz = await authoring.create_quiz(
                session, author, QuizSettings(**{**SETTINGS.__dict__, "title": title})
            )
            assert quiz.slug == f"{title.lower()}-2"


async def test_a_stale_save_of_a_published_question_shows_it_and_saves_knowingly(
    app: Quart,
) -> None:
    author = await _user(app, "writer", is_author=True)
    async with app.app_context():
        session = get_session()
        quiz = await authoring.create_quiz(session, author, SETTINGS)
        question = await drafts.add_question(session, author, quiz.slug, "true_false")
        fields = QuestionFields("Is it?", 1.0, "", "plain")
        await drafts.save_question(
            session, author, quiz.slug, question, version=1, fields=fields, body={"answer": True}
        )
        await publishing.publish(session, author, quiz.slug)
        with pytest.raises(drafts.EditConflictError) as conflict:
            await drafts.save_question(
                session, author, quiz.slug, question, version=2, fields=fields,
                body={"answer": False},
            )  # fmt: skip
        assert (conflict.value.current.text, conflict.value.expected) == ("Is it?", 1)
        assert (await drafts.editing(session, author, quiz.slug)).is_draft is False
        saved = await drafts.save_question(
            session, author, quiz.slug, question, version=conflict.value.expected,
            fields=fields, body={"answer": False},
        )  # fmt: skip
        assert (saved.body, saved.version) == ({"answer": False, "feedback_true": "",
                                                "feedback_false": ""}, 2)  # fmt: skip
