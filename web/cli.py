"""CLI: the `hyperquiz` command group; commands parse options and call services, nothing more."""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from alembic import command as alembic_command
from alembic.util.exc import CommandError
from quart import Quart
from quart import current_app
from quart.cli import QuartGroup
from quart.cli import ScriptInfo
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from web.config import ConfigError
from web.db import get_database
from web.db import get_session
from web.formats import gift
from web.forms.accounts import parse_registration
from web.forms.quiz_import import quiz_document
from web.services import demo
from web.services.accounts import AccountError
from web.services.accounts import create_user
from web.services.accounts import find_by_identifier
from web.services.archive import QuizNotFoundError
from web.services.archive import set_archived
from web.services.file_import import LABELS
from web.services.file_import import read_file
from web.services.quiz_import import UnknownSlugsError
from web.services.quiz_import import export_quizzes
from web.services.quiz_import import import_quizzes
from web.services.schema import alembic_config


def run_in_app[**P](
    func: Callable[P, Awaitable[None]],
) -> Callable[P, None]:
    """Run an async command inside the app context, on its own event loop.

    Quart's own with_appcontext runs the command *inside* a loop, where a sync click
    command cannot await; so commands opt out of it and come here.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        app: Quart = click.get_current_context().ensure_object(ScriptInfo).load_app()

        async def inner() -> None:
            try:
                async with app.app_context():  # closes the session on the way out
                    await func(*args, **kwargs)
            finally:
                await get_database(app).dispose()

        asyncio.run(inner())

    return wrapper


def _fail(message: str) -> None:
    raise click.ClickException(message)


@click.command("migrate")
@click.argument("revision", default="head")
@click.option("--down", is_flag=True, help="Downgrade to REVISION instead of upgrading.")
def migrate_command(revision: str, down: bool) -> None:
    """Upgrade the database to REVISION (default: head), or downgrade with --down."""
    app: Quart = click.get_current_context().ensure_object(ScriptInfo).load_app()
    config = alembic_config(app.config["DATABASE_URL"])
    step = alembic_command.downgrade if down else alembic_command.upgrade
    try:
        step(config, revision)
    except CommandError as error:  # a migration's refusal, or an unknown revision: one line
        _fail(str(error))


@click.command("check-config")
def check_config_command() -> None:
    """Exit non-zero with one line if the environment cannot run the app.

    The Procfile runs it before hypercorn, whose exit status hides a worker that failed to
    start (it reports 0).
    """
    app: Quart = click.get_current_context().ensure_object(ScriptInfo).load_app()
    url = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    click.echo(f"Configuration ok: APP_ENV={app.config['APP_ENV']}, database {url}")


@click.command("create-admin")
@click.option("--username", prompt=True, help="3-80 letters A-Z, digits or underscores.")
@click.option("--email", prompt=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="HYPERQUIZ_ADMIN_PASSWORD",
    help="Or set HYPERQUIZ_ADMIN_PASSWORD; prompted for when neither is given.",
)
@run_in_app
async def create_admin_command(username: str, email: str, password: str) -> None:
    """Create a verified administrator account (the registration form's rules apply)."""
    fields = {"username": username, "email": email, "password": password}
    parsed = parse_registration({**fields, "confirm_password": password})
    if parsed.data is None:
        _fail("; ".join(parsed.errors.values()))
        return
    account = parsed.data
    try:
        user = await create_user(
            get_session(),
            username=account.username,
            email=account.email,
            password=account.password,
            is_admin=True,
            verified=True,
        )
    except AccountError as error:
        _fail(error.message)
        return
    click.echo(f"Created administrator {user.username} <{user.email}>.")


@click.command("seed-demo")
@run_in_app
async def seed_demo_command() -> None:
    """Load demo quizzes and demo accounts; running it again changes nothing."""
    if current_app.config["APP_ENV"] == "production":
        _fail(
            "seed-demo creates accounts with published passwords; it refuses to run in production."
        )
        return
    report = await demo.seed(get_session())
    click.echo(report)


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "format_name",
    type=click.Choice(sorted(LABELS)),
    help="The file's format; by default the extension tells, else the content.",
)
@click.option("--replace", is_flag=True, help="Add a new revision to quizzes that exist.")
@click.option("--author", help="USERNAME of the author who will own new quizzes.")
@click.option("--title", help="Title of the quiz a GIFT, Aiken, CSV or XML file holds.")
@run_in_app
async def import_command(
    path: Path, format_name: str | None, replace: bool, author: str | None, title: str | None
) -> None:
    """Import quizzes from GIFT, Aiken, Moodle XML, Open Trivia DB JSON, CSV or our JSON.

    What the document marks published is published; a file without such marks (all but
    our JSON) is published. Problems are listed with their line, and nothing is written.
    """
    try:
        raw = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        _fail(f"{path}: cannot read ({error.strerror})")
        return
    session = get_session()
    author_id = await _author_id(session, author) if author else None
    read = read_file(raw, path.name, format_name=format_name, title=title)
    for skipped in read.skipped:
        click.echo(f"{path}: {skipped.place}: skipped {skipped.title!r}: {skipped.reason}")
    if not read.ok:
        _fail("\n".join(f"{path}: {problem.place}: {problem.message}" for problem in read.problems))
        return
    result = await import_quizzes(session, read.quizzes, replace=replace, author_id=author_id)
    click.echo(result.summary())


async def _author_id(session: AsyncSession, username: str) -> int:
    found = await find_by_identifier(session, username)
    if found is None or found.id is None:
        raise click.ClickException(f"No account has the username {username!r}.")
    return found.id


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path), required=False)
@click.option("--slug", "slugs", multiple=True, help="Only this quiz; repeat for more.")
@click.option(
    "--format", "format_name", type=click.Choice(["json", "gift"]), default="json",
    help="JSON (every quiz, everything) or GIFT (one quiz; what GIFT cannot say is noted).",
)  # fmt: skip
@run_in_app
async def export_command(path: Path | None, slugs: tuple[str, ...], format_name: str) -> None:
    """Write quizzes to PATH, or to standard output."""
    try:
        quizzes = await export_quizzes(get_session(), list(slugs))
    except UnknownSlugsError as error:
        _fail(str(error))
        return
    notes: list[str] = []
    if format_name == "gift":
        if len(quizzes) != 1:
            _fail("A GIFT file holds one quiz: name it with --slug.")
            return
        text, notes = gift.write(quizzes[0])
    else:
        text = json.dumps(quiz_document(quizzes), indent=2, ensure_ascii=False) + "\n"
    for note in notes:
        click.echo(f"GIFT cannot say: {note}", err=True)
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        await asyncio.to_thread(path.write_text, text, encoding="utf-8")
    except OSError as error:
        _fail(f"{path}: cannot write ({error.strerror})")
        return
    click.echo(f"Exported {len(quizzes)} quiz(zes) to {path}.")


@click.command("archive")
@click.argument("slug")
@click.option("--restore", is_flag=True, help="Put an archived quiz back in the catalog.")
@run_in_app
async def archive_command(slug: str, restore: bool) -> None:
    """Take a quiz out of the catalog; its attempts and results are kept (nothing is deleted)."""
    try:
        quiz = await set_archived(get_session(), slug, archived=not restore)
    except QuizNotFoundError as error:
        _fail(str(error))
        return
    state = "archived: out of the catalog" if quiz.archived_at else "in the catalog again"
    click.echo(f"{quiz.title} ({quiz.slug}) is {state}; every attempt is kept.")


COMMANDS: tuple[click.Command, ...] = (
    check_config_command,
    migrate_command,
    create_admin_command,
    seed_demo_command,
    import_command,
    export_command,
    archive_command,
)


def init_app(app: Quart) -> None:
    for cmd in COMMANDS:
        app.cli.add_command(cmd)


def _create_app(*_args: Any) -> Quart:
    from web.app import create_app  # the app module imports this one

    try:
        return create_app()
    except ConfigError as error:
        sys.exit(f"hyperquiz: {error}")


# Quart's own --version names Python, Quart and Werkzeug; operators ask which Hyperquiz runs.
version_option = click.version_option(
    package_name="hyperquiz", prog_name="hyperquiz", message="%(prog)s %(version)s"
)
main = version_option(
    QuartGroup(
        create_app=_create_app, add_version_option=False, help="Hyperquiz operator commands."
    )
)
