"""The `hyperquiz` command line, run as operators run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.databases import create_scratch_database
from tests.databases import drop_scratch_database
from web.cli import main

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
    shipped = json.loads((ROOT / "web/demo/quizzes.json").read_text(encoding="utf-8"))
    assert document == shipped
    replaced = run(cli_env, "import", "--replace", str(exported))
    assert f"replaced {len(shipped['quizzes'])}" in replaced.output


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
    assert "web: hyperquiz check-config && exec hypercorn --bind 0.0.0.0:$PORT" in procfile
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
        (b"\xff\xfe{not utf-8", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
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
