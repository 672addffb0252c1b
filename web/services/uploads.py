"""Services: the browser import: a file uploaded, previewed page by page, then imported as
drafts its author reviews before publishing.

The upload is kept in the database (any worker or instance can show the next preview page
or import it) and read again on demand; what it holds is cached per process by token, so
paging through a 5,000-question preview parses the file once per worker.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace

from sqlmodel import col
from sqlmodel import delete
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from web.db import writing
from web.formats import Place
from web.forms.quiz_import import QuizData
from web.models import ImportUpload
from web.models import Quiz
from web.models import User
from web.models import utcnow
from web.models.upload import UPLOAD_KEPT
from web.services.authoring import AuthoringError
from web.services.authoring import free_slug
from web.services.authoring import may_edit
from web.services.authoring import require_author
from web.services.content import QuestionView
from web.services.file_import import FileRead
from web.services.file_import import read_file
from web.services.file_import import title_from
from web.services.quiz_import import DraftExistsError
from web.services.quiz_import import ImportResult
from web.services.quiz_import import import_quizzes

CACHED_READS = 8
GONE = "That upload is gone (imported already, or older than a day): upload the file again."

_reads: OrderedDict[str, FileRead] = OrderedDict()


class UploadNotFoundError(AuthoringError):
    status = 404


@dataclass(frozen=True)
class Upload:
    """An upload and what its file holds."""

    row: ImportUpload
    read: FileRead


async def store_upload(
    session: AsyncSession,
    user: User,
    *,
    filename: str,
    raw: bytes,
    format_name: str | None,
    title: str | None,
) -> str:
    """Keep the file for its preview; returns the token naming it. Uploads older than a
    day (nobody imported them) are cleared on the way."""
    require_author(user)
    assert user.id is not None  # noqa: S101 - a persisted user
    token = secrets.token_urlsafe(24)
    read = read_file(raw, filename, format_name=format_name, title=title, published=False)
    async with writing(session):
        await session.exec(
            delete(ImportUpload).where(col(ImportUpload.created_at) < utcnow() - UPLOAD_KEPT)
        )
        session.add(
            ImportUpload(
                token=token,
                user_id=user.id,
                filename=filename[:255],
                format=read.format or (format_name or ""),
                title=(title or title_from(filename))[:200],
                content=raw,
            )
        )
    _remember(token, read)
    return token


async def _own_slug(session: AsyncSession, user: User, quiz: QuizData) -> QuizData:
    """A slug of a quiz this author may edit gets a new draft; anyone else's slug is never
    touched: the file's quiz gets a free one instead."""
    existing = (await session.exec(select(Quiz).where(col(Quiz.slug) == quiz.slug))).first()
    if existing is None or may_edit(user, existing):
        return quiz
    return replace(quiz, slug=await free_slug(session, quiz.title))


class _AsAuthored:
    """What a kind's card asks of an attempt, for showing a question outside one: its
    options in the order written (no attempt, no shuffle)."""

    def arrange[T](
        self, _question: object, options: Sequence[T], *, always: bool = False
    ) -> list[T]:
        return list(options)


AS_AUTHORED = _AsAuthored()


def shown_questions(upload: Upload, first: int, count: int) -> list[tuple[Place, QuestionView]]:
    """Questions `first` to `first + count - 1` (1-based) as a taker's card shows them; the
    number doubles as the id that keeps each card's input ids apart on the page."""
    questions = upload.read.parsed.questions if upload.read.parsed else []
    return [
        (
            parsed.place,
            QuestionView(
                id=number,
                position=number,
                kind=parsed.question.kind,
                text=parsed.question.text,
                explanation=parsed.question.explanation,
                points=parsed.question.points,
                body=parsed.question.body,
                text_format=parsed.question.text_format,
            ),
        )
        for number, parsed in enumerate(questions[first - 1 : first - 1 + count], start=first)
    ]


def _remember(token: str, read: FileRead) -> None:
    _reads[token] = read
    _reads.move_to_end(token)
    while len(_reads) > CACHED_READS:
        _reads.popitem(last=False)


async def load_upload(session: AsyncSession, user: User, token: str) -> Upload:
    """The author's own upload (anyone else's does not exist for them)."""
    require_author(user)
    row = (
        await session.exec(select(ImportUpload).where(col(ImportUpload.token) == token[:64]))
    ).first()
    if row is None or row.user_id != user.id or row.is_stale():
        raise UploadNotFoundError(GONE)
    read = _reads.get(token)
    if read is None:
        read = read_file(
            row.content,
            row.filename,
            format_name=row.format or None,
            title=row.title,
            published=False,
        )
        _remember(token, read)
    return Upload(row, read)


async def import_upload(session: AsyncSession, user: User, token: str) -> ImportResult:
    """Create the file's quizzes as drafts of this author's; the upload is then spent."""
    upload = await load_upload(session, user, token)
    if not upload.read.ok:
        raise AuthoringError("The file has problems: fix them and upload it again.")
    quizzes = [await _own_slug(session, user, quiz) for quiz in upload.read.quizzes]
    try:
        result = await import_quizzes(session, quizzes, replace=True, author_id=user.id, draft=True)
    except DraftExistsError as error:
        raise AuthoringError(str(error)) from error
    async with writing(session):
        await session.delete(upload.row)
    _reads.pop(token, None)
    return result
