"""The `hyperquiz` command line, run as operators run it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from web.cli import main
from web.forms.quiz_import import parse_quiz_document
from web.forms.quiz_import import quiz_document
from web.services.demo import DEMO_DOCUMENTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(tmp_path: Path):
    url = create_scratch_database("sqlite", tmp_path)
    env = {"APP_ENV": "testing", "DATABASE_URL": url, "SECRET_KEY": "cli-secret"}
    result = CliRunner().invoke(main, ["migrate"], env=env)
    assert result.exit_code == 0, result.output
    yield env
    drop_scratch_database(url)


def run(env: dict[str, str], *args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def canonical(*documents: dict[str, Any]) -> dict[str, Any]:
    """The documents' quizzes as export writes them (format 2, ids and defaults filled in)."""
    quizzes = []
    for document in documents:
        parsed = parse_quiz_document(document)
        assert parsed.data is not None, parsed.errors
        quizzes.extend(parsed.data)
    return quiz_document(quizzes)


def test_create_admin_makes_a_verified_admin(cli_env: dict[str, str]) -> None:
    result = run(
        cli_env,
        "create-admin",
        "--username",
        "root_user",
        "--email",
        "Root@Example.com",
        "--password",
        "Sup3rSecret",
    )
    assert result.exit_code == 0, result.output
    assert "Created administrator root_user <root@example.com>" in result.output
    again = run(
        cli_env,
        "create-admin",
        "--username",
        "ROOT_USER",
        "--email",
        "x@example.com",
        "--password",
        "Sup3rSecret",
    )
    assert again.exit_code != 0
    assert "username is taken" in again.output


def test_create_admin_prompts_for_a_hidden_password(cli_env: dict[str, str]) -> None:
    result = run(
        cli_env,
        "create-admin",
        "--username",
        "prompted",
        "--email",
        "p@example.com",
        stdin="Sup3rSecret\nSup3rSecret\n",
    )
    assert result.exit_code == 0, result.output
    assert "Sup3rSecret" not in result.output


@pytest.mark.parametrize(
    ("username", "email", "password", "message"),
    [
        ("ab", "a@example.com", "Sup3rSecret", "3 to 80"),
        ("good_name", "not-an-email", "Sup3rSecret", "valid email"),
        ("good_name", "a@example.com", "weak", "at least 8"),
    ],
)
def test_create_admin_refuses_bad_input(
    cli_env: dict[str, str], username: str, email: str, password: str, message: str
) -> None:
    result = run(
        cli_env, "create-admin", "--username", username, "--email", email, "--password", password
    )
    assert result.exit_code != 0
    assert message in result.output


def test_seed_demo_is_idempotent_and_export_import_round_trip(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    first = run(cli_env, "seed-demo")
    assert first.exit_code == 0, first.output
    assert "Demo accounts: demo, admin." in first.output
    second = run(cli_env, "seed-demo")
    assert "Demo accounts: none new." in second.output
    assert "Imported 0 new" in second.output
    exported = tmp_path / "quizzes.json"
    result = run(cli_env, "export", str(exported))
    assert result.exit_code == 0, result.output
    document = json.loads(exported.read_text(encoding="utf-8"))
    shipped = [json.loads(path.read_text(encoding="utf-8")) for path in DEMO_DOCUMENTS]
    assert document == canonical(*shipped)
    # The general quizzes ship exactly as export writes them.
    assert document["quizzes"][: len(shipped[0]["quizzes"])] == shipped[0]["quizzes"]
    replaced = run(cli_env, "import", "--replace", str(exported))
    assert f"replaced {len(document['quizzes'])}" in replaced.output
    assert json.loads(run(cli_env, "export").output) == document


def test_import_reports_every_problem_and_changes_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"quizzes": [{"slug": "Bad Slug", "questions": []}]}), encoding="utf-8"
    )
    result = run(cli_env, "import", str(bad))
    assert result.exit_code != 0
    assert "quizzes[0].slug" in result.output
    assert "quizzes[0].title" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert "not valid JSON" in run(cli_env, "import", str(broken)).output
    assert '"quizzes": []' in run(cli_env, "export").output


def test_seed_demo_refuses_production(cli_env: dict[str, str]) -> None:
    result = run({**cli_env, "APP_ENV": "production"}, "seed-demo")
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output


def test_production_without_secrets_exits_with_one_line() -> None:
    env = {
        key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DATABASE_URL"}
    }
    env["APP_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-c", "import web.asgi"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    expected = "APP_ENV=production requires environment variable(s): SECRET_KEY, DATABASE_URL"
    assert result.stderr == f"hyperquiz: {expected}\n"


def test_check_config_guards_the_procfile(cli_env: dict[str, str]) -> None:
    ok = run(cli_env, "check-config")
    assert ok.exit_code == 0
    assert "Configuration ok: APP_ENV=testing" in ok.output
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    assert (
        "web: hyperquiz check-config && exec python -m web.serve --bind 0.0.0.0:$PORT" in procfile
    )
    env = {
        key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DATABASE_URL"}
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "hyperquiz"), "check-config"],
        env={**env, "APP_ENV": "production"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "hyperquiz: APP_ENV=production requires environment variable(s): SECRET_KEY, DATABASE_URL"
    ]


def test_migrate_creates_the_folder_of_a_new_sqlite_database(tmp_path: Path) -> None:
    """A fresh clone has no instance/ folder; `make run` must not need one made by hand."""
    database = tmp_path / "not" / "yet" / "there.db"
    env = {"APP_ENV": "testing", "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    result = run(env, "migrate")
    assert result.exit_code == 0, result.output
    assert database.exists()


def test_without_smtp_emails_reach_the_log_of_a_real_process(tmp_path: Path) -> None:
    """Outside pytest (which captures logs itself) the link must still reach the operator."""
    code = (
        "import asyncio\n"
        "from web.app import create_app\n"
        "from web.mail import Email, deliver\n"
        f"app = create_app('testing', {{'DATABASE_URL': 'sqlite+aiosqlite:///{tmp_path}/x.db'}})\n"
        "asyncio.run(deliver(app.config, Email('a@example.com', 'Verify your email', "
        "'Open http://127.0.0.1:8000/auth/verify/abc')))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAIL_")}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Subject: Verify your email" in result.stderr
    assert "http://127.0.0.1:8000/auth/verify/abc" in result.stderr


def test_version_names_hyperquiz_and_its_version() -> None:
    """Operators ask which release runs; Quart's own --version named only its libraries."""
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"hyperquiz {version('hyperquiz')}\n"


def test_export_of_unknown_slugs_fails_and_names_them(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    """A typo must not read as success with fewer quizzes; nothing is written."""
    assert run(cli_env, "seed-demo").exit_code == 0
    target = tmp_path / "out.json"
    result = run(
        cli_env, "export", str(target), "--slug", "nope", "--slug", "python-basics", "--slug", "zz"
    )
    assert result.exit_code == 1
    assert "No quiz has the slug(s): nope, zz" in result.output
    assert not target.exists()
    known = run(cli_env, "export", "--slug", "python-basics")
    assert known.exit_code == 0
    assert [quiz["slug"] for quiz in json.loads(known.output)["quizzes"]] == ["python-basics"]


def test_export_to_a_place_it_cannot_write_says_so(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run(cli_env, "export", str(tmp_path / "no" / "such" / "folder" / "out.json"))
    assert result.exit_code == 1
    assert "cannot write" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{not utf-8", "The file is UTF-16"),
        (b"caf\xe9", "The file is not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"[1, 2]", "document: must be a JSON object"),
        (b'"quizzes"', "document: must be a JSON object"),
        (b"", "not valid JSON"),
        (
            json.dumps(
                {"format": 2, "quizzes": [{"slug": "x", "questions": [{"kind": "x"}]}]}
            ).encode(),
            "quizzes[0].questions[0].kind: must be one of the kinds single_choice",
        ),
        (
            json.dumps({"quizzes": [{"slug": "x", "difficulty": ["hard"]}]}).encode(),
            "quizzes[0].difficulty: must be easy, medium or hard",
        ),
        (
            json.dumps({"quizzes": [{"slug": "x", "title": "Nul\u0000here"}]}).encode(),
            "quizzes[0].title: must not contain control characters",
        ),
    ],
)
def test_import_of_a_bad_file_is_a_message_not_a_traceback(
    cli_env: dict[str, str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    result = run(cli_env, "import", str(path))
    assert result.exit_code == 1
    assert message in result.output
    assert isinstance(result.exception, SystemExit)


# --------------------------------------------------------------------------- quiz documents

EVERY_KIND = [
    {
        "kind": "single_choice",
        "text": "Red planet?",
        "choices": [{"text": "Mars", "weight": 100}, {"text": "Venus"}],
    },
    {
        "kind": "multiple_response",
        "text": "Gas giants?",
        "points": 2,
        "choices": [
            {"text": "Jupiter", "weight": 50},
            {"text": "Saturn", "weight": 50},
            {"text": "Mars", "weight": -100},
        ],
    },
    {"kind": "true_false", "text": "The Sun is a star.", "answer": True},
    {
        "kind": "short_answer",
        "text": "Closest planet to the Sun?",
        "answers": [{"text": "Mercury"}],
    },
    {
        "kind": "numeric",
        "text": "Planets in the Solar System?",
        "points": 0.5,
        "answers": [{"value": 8}],
    },
    {
        "kind": "ordering",
        "text": "Nearest first",
        "items": [{"text": "Venus"}, {"text": "Earth"}, {"text": "Mars"}],
    },
    {
        "kind": "matching",
        "text": "Match the moons",
        "pairs": [{"prompt": "Earth", "answer": "Moon"}, {"prompt": "Mars", "answer": "Phobos"}],
        "distractors": ["Titan"],
    },
]


def quiz_v2(slug: str, questions: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": slug.title(),
        "category": "Space",
        "published": True,
        **fields,
        "questions": questions,
    }


def write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def database(env: dict[str, str]) -> sqlite3.Connection:
    return sqlite3.connect(env["DATABASE_URL"].split(":///", 1)[1])


def rows(env: dict[str, str], sql: str, *args: object) -> list[tuple[Any, ...]]:
    with closing(database(env)) as connection:
        return connection.execute(sql, args).fetchall()


def test_every_kind_round_trips_through_export_and_import(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    document = {
        "format": 2,
        "quizzes": [
            quiz_v2("every-kind", EVERY_KIND, time_limit_seconds=600, shuffle_choices=True)
        ],
    }
    result = run(cli_env, "import", str(write(tmp_path / "in.json", document)))
    assert result.exit_code == 0, result.output
    assert "Imported 1 new" in result.output
    exported = json.loads(run(cli_env, "export").output)
    assert exported == canonical(document)
    assert [q["kind"] for q in exported["quizzes"][0]["questions"]] == [
        q["kind"] for q in EVERY_KIND
    ]
    second = tmp_path / "second"
    second.mkdir()
    fresh = {**cli_env, "DATABASE_URL": create_scratch_database("sqlite", second)}
    assert run(fresh, "migrate").exit_code == 0
    assert run(fresh, "import", str(write(tmp_path / "out.json", exported))).exit_code == 0
    assert json.loads(run(fresh, "export").output) == exported


def test_a_format_1_file_imports_and_exports_as_format_2(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    v1 = {
        "quizzes": [
            {
                "slug": "old-style",
                "title": "Old style",
                "category": "Misc",
                "published": True,
                "questions": [
                    {
                        "text": "Two and two?",
                        "explanation": "Arithmetic.",
                        "choices": [
                            {"text": "4", "correct": True},
                            {"text": "5", "correct": False},
                        ],
                    }
                ],
            }
        ]
    }
    assert run(cli_env, "import", str(write(tmp_path / "v1.json", v1))).exit_code == 0
    exported = json.loads(run(cli_env, "export").output)
    assert exported["format"] == 2
    (only,) = exported["quizzes"][0]["questions"]
    assert only["kind"] == "single_choice"
    assert [(c["text"], c["weight"]) for c in only["choices"]] == [("4", 100), ("5", 0)]
    assert rows(cli_env, "SELECT kind, points FROM revision_questions") == [("single_choice", 1.0)]


def test_replace_adds_a_revision_reuses_identities_and_deletes_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    questions = [
        {
            "kind": "single_choice",
            "text": "Kept?",
            "choices": [{"text": "Yes", "weight": 100}, {"text": "No"}],
        },
        {"kind": "true_false", "text": "Changed?", "answer": True},
        {"kind": "short_answer", "text": "Also kept?", "answers": [{"text": "yes"}]},
    ]
    first = {"format": 2, "quizzes": [quiz_v2("revised", questions, feedback_mode="immediate")]}
    assert run(cli_env, "import", str(write(tmp_path / "first.json", first))).exit_code == 0
    taker = ["--username", "taker", "--email", "t@example.com", "--password", "Sup3rSecret"]
    assert run(cli_env, "create-admin", *taker).exit_code == 0
    ((quiz_id, first_revision),) = rows(cli_env, "SELECT id, current_revision_id FROM quizzes")
    kept, changed, also_kept = (
        row[0]
        for row in rows(cli_env, "SELECT question_id FROM revision_questions ORDER BY position")
    )
    with closing(database(cli_env)) as connection, connection:  # an attempt on revision 1
        connection.execute(
            "INSERT INTO attempts (user_id, quiz_id, revision_id, question_count,"
            " answered_count, points_awarded, points_answered, points_possible, shuffle_seed,"
            " started_at) VALUES (1, ?, ?, 3, 1, 1, 1, 3, 7, '2026-01-01 00:00:00')",
            (quiz_id, first_revision),
        )
        connection.execute(
            "INSERT INTO user_answers (attempt_id, question_id, response, points, answered_at)"
            " VALUES (1, ?, '{\"choice\": 1}', 1, '2026-01-01 00:00:01')",
            (kept,),
        )
    before = {
        table: rows(cli_env, f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed names
        for table in (
            "revision_questions",
            "quiz_revisions",
            "questions",
            "attempts",
            "user_answers",
        )
    }

    edited = [questions[2], {**questions[1], "text": "Changed, now?"}, questions[0]]
    second = {
        "format": 2,
        "quizzes": [
            quiz_v2("revised", edited, title="Revised", feedback_mode="exam", published=False)
        ],
    }
    skipped = run(cli_env, "import", str(write(tmp_path / "second.json", second)))
    assert "skipped 1" in skipped.output
    assert rows(cli_env, "SELECT count(*) FROM quiz_revisions") == [(1,)]
    replaced = run(cli_env, "import", "--replace", str(tmp_path / "second.json"))
    assert replaced.exit_code == 0, replaced.output
    assert "replaced 1" in replaced.output

    revisions = rows(
        cli_env,
        "SELECT id, number, status, feedback_mode, published_at IS NOT NULL"
        " FROM quiz_revisions ORDER BY number",
    )
    assert [row[1:] for row in revisions] == [
        (1, "published", "immediate", 1),
        (2, "published", "exam", 1),
    ]
    second_revision = revisions[1][0]
    assert rows(cli_env, "SELECT title, is_published, current_revision_id FROM quizzes") == [
        ("Revised", 0, second_revision)
    ]
    # Nothing deleted or rewritten: every earlier row is still there as it was.
    for table, earlier in before.items():
        now = rows(cli_env, f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - fixed names
        assert now[: len(earlier)] == earlier, table
    assert rows(cli_env, "SELECT revision_id FROM attempts") == [(first_revision,)]
    # The unchanged questions keep their identity, wherever they moved; the changed one is new.
    now = rows(
        cli_env,
        "SELECT position, question_id, text FROM revision_questions"
        " WHERE revision_id = ? ORDER BY position",
        second_revision,
    )
    assert [(p, t) for p, _, t in now] == [(1, "Also kept?"), (2, "Changed, now?"), (3, "Kept?")]
    assert now[0][1] == also_kept
    assert now[2][1] == kept
    assert now[1][1] not in (kept, changed, also_kept)
    assert rows(cli_env, "SELECT count(*) FROM questions") == [(4,)]
    exported = json.loads(run(cli_env, "export").output)
    assert exported == canonical(second)


def test_archive_takes_a_quiz_out_of_the_catalog_and_keeps_its_attempts(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    questions = [{"kind": "true_false", "text": "Kept?", "answer": True}]
    document = {"format": 2, "quizzes": [quiz_v2("old-news", questions)]}
    assert run(cli_env, "import", str(write(tmp_path / "quiz.json", document))).exit_code == 0
    taker = ["--username", "taker", "--email", "t@example.com", "--password", "Sup3rSecret"]
    assert run(cli_env, "create-admin", *taker).exit_code == 0
    ((quiz_id, revision_id),) = rows(cli_env, "SELECT id, current_revision_id FROM quizzes")
    with closing(database(cli_env)) as connection, connection:
        connection.execute(
            "INSERT INTO attempts (user_id, quiz_id, revision_id, question_count,"
            " answered_count, points_awarded, points_answered, points_possible, shuffle_seed,"
            " started_at, finished_at, duration_seconds)"
            " VALUES (1, ?, ?, 1, 1, 1, 1, 1, 0, '2026-01-01', '2026-01-01', 5)",
            (quiz_id, revision_id),
        )

    archived = run(cli_env, "archive", "old-news")
    assert archived.exit_code == 0, archived.output
    assert "Old-News (old-news) is archived: out of the catalog; every attempt is kept." in (
        archived.output
    )
    assert rows(cli_env, "SELECT archived_at IS NOT NULL FROM quizzes") == [(1,)]
    assert rows(cli_env, "SELECT count(*) FROM attempts") == [(1,)]
    assert rows(cli_env, "SELECT count(*) FROM revision_questions") == [(1,)]

    restored = run(cli_env, "archive", "old-news", "--restore")
    assert "is in the catalog again" in restored.output
    assert rows(cli_env, "SELECT archived_at FROM quizzes") == [(None,)]

    unknown = run(cli_env, "archive", "no-such-quiz")
    assert unknown.exit_code == 1
    assert "No quiz has the slug: no-such-quiz" in unknown.output


def test_a_refused_downgrade_is_one_line_not_a_traceback(cli_env: dict[str, str]) -> None:
    """Migration 0004's downgrade refuses content the old schema cannot hold: the operator
    reads that one line and the database stays at head."""
    assert run(cli_env, "seed-demo").exit_code == 0  # holds a quiz of every kind
    refused = run(cli_env, "migrate", "0003", "--down")
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output
    assert refused.output.strip().endswith(
        "must be changed before this downgrade: solar-system-every-kind, solar-system-exam,"
        " solar-system-sprint"
    )
    assert rows(cli_env, "SELECT version_num FROM alembic_version") == [("0004",)]


AIKEN = """What is the capital of France?
A. Lyon
B. Paris
ANSWER: B

Which is a planet?
A) Pluto
B) Mars
ANSWER: B
"""


def test_an_aiken_file_imports_with_its_title_and_author(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    taker = ["--username", "teacher", "--email", "t@example.com", "--password", "Sup3rSecret"]
    assert run(cli_env, "create-admin", *taker).exit_code == 0
    path = tmp_path / "geography_quiz.txt"
    path.write_text(AIKEN, encoding="utf-8")
    result = run(cli_env, "import", str(path), "--author", "Teacher")
    assert result.exit_code == 0, result.output
    assert "Imported 1 new" in result.output
    assert rows(cli_env, "SELECT slug, title, created_by_id, is_published FROM quizzes") == [
        ("geography-quiz", "Geography quiz", 1, 1)
    ]
    assert rows(cli_env, "SELECT kind, text FROM revision_questions ORDER BY position") == [
        ("single_choice", "What is the capital of France?"),
        ("single_choice", "Which is a planet?"),
    ]
    again = run(cli_env, "import", str(path), "--format", "aiken", "--title", "Places", "--replace")
    assert again.exit_code == 0, again.output
    assert rows(cli_env, "SELECT slug FROM quizzes ORDER BY id") == [
        ("geography-quiz",),
        ("places",),
    ]


def test_a_file_with_problems_names_their_lines_and_imports_nothing(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(AIKEN.replace("ANSWER: B\n\nWhich", "ANSWER: C\n\nWhich"), "utf-8")
    result = run(cli_env, "import", str(path), "--format", "aiken")
    assert result.exit_code == 1
    assert f"{path}: line 4:" in result.output
    assert rows(cli_env, "SELECT count(*) FROM quizzes") == [(0,)]
    unknown = run(cli_env, "import", str(path), "--author", "nobody")
    assert unknown.exit_code == 1
    assert "No account has the username 'nobody'." in unknown.output


GIFT = """// A quiz in GIFT, as teachers write them
$CATEGORY: $course$/top/Astronomy

::Red::Which planet is red? {=Mars ~Venus#Too cloudy ~Jupiter}

The Sun is a star. {T#No: it is one.#Yes.}

How many planets are there? {#8}

Name the largest moon of Saturn. {=Titan =%50%Rhea}

Match the planets. {=Saturn -> Rings =Jupiter -> Great Red Spot}

Write an essay about Pluto. {}
"""


def test_a_gift_file_imports_and_exports_back_the_same(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    source = tmp_path / "solar_system.gift"
    source.write_text(GIFT, encoding="utf-8")
    imported = run(cli_env, "import", str(source))
    assert imported.exit_code == 0, imported.output
    assert "skipped 'Write an essay about Pluto.'" in imported.output  # an essay: no such kind
    assert rows(cli_env, "SELECT slug, category FROM quizzes") == [("solar-system", "Astronomy")]
    assert [kind for (kind,) in rows(cli_env, "SELECT kind FROM revision_questions")] == [
        "single_choice", "true_false", "numeric", "short_answer", "matching",
    ]  # fmt: skip

    first = run(cli_env, "export", "--format", "gift", "--slug", "solar-system")
    assert first.exit_code == 0, first.output
    again = tmp_path / "again.gift"
    again.write_text(first.stdout, encoding="utf-8")
    assert run(cli_env, "import", str(again), "--title", "Solar system", "--replace").exit_code == 0
    second = run(cli_env, "export", "--format", "gift", "--slug", "solar-system")
    assert second.stdout == first.stdout
    assert "Which planet is red?" in first.stdout
    other = tmp_path / "other.txt"
    other.write_text(AIKEN, encoding="utf-8")
    assert run(cli_env, "import", str(other)).exit_code == 0
    both = run(cli_env, "export", "--format", "gift")
    assert both.exit_code == 1
    assert "A GIFT file holds one quiz: name it with --slug." in both.output
