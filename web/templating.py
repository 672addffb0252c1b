"""Templating: where templates and components are found, and the few filters they share."""

from __future__ import annotations

from datetime import datetime

from jinja2 import ChoiceLoader
from jinja2 import FileSystemLoader
from jinja2 import PrefixLoader
from quart import Quart

from web.htmx import HtmxDetails
from web.htmx import htmx
from web.models import utcnow
from web.rich_text import rich_block
from web.rich_text import rich_inline
from web.rich_text import rich_plain


def duration(seconds: int | None) -> str:
    """ "1 min 5 s" for people; "-" when unknown."""
    if seconds is None:
        return "-"
    minutes, rest = divmod(max(int(seconds), 0), 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if rest or not parts:
        parts.append(f"{rest} s")
    return " ".join(parts)


def clock(seconds: int | None) -> str:
    """ "4:05" for a countdown."""
    minutes, rest = divmod(max(int(seconds or 0), 0), 60)
    return f"{minutes}:{rest:02d}"


def ago(moment: datetime, now: datetime | None = None) -> str:
    """ "12 minutes ago" for people; no time zone to guess, unlike a clock time."""
    seconds = max(int(((now or utcnow()) - moment).total_seconds()), 0)
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def points(value: float | None) -> str:
    """Points as people write them: 2, 0.5 or 2.25, never 0.50 or 2.0 (CONTRACT.md)."""
    rounded = round(value or 0.0, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:.2f}".rstrip("0").rstrip(".")


def points_phrase(value: float | None) -> str:
    """ "1 point", "0.5 points", "3 points": the number as points() writes it, with its unit."""
    written = points(value)
    return f"{written} {'point' if written == '1' else 'points'}"


def verdict_class(verdict: str) -> str:
    """The CSS class of a verdict ("Partially correct" → "is-partially-correct")."""
    return "is-" + verdict.lower().replace(" ", "-")


def init_app(app: Quart) -> None:
    # components/ sits beside the package; templates reach it as "components/<name>.html".
    components = PrefixLoader({"components": FileSystemLoader(app.config["COMPONENTS_DIR"])})
    app.jinja_loader = ChoiceLoader([components, FileSystemLoader(f"{app.root_path}/templates")])
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["points"] = points
    app.jinja_env.filters["points_phrase"] = points_phrase
    app.jinja_env.filters["verdict_class"] = verdict_class
    app.jinja_env.filters["rich_inline"] = rich_inline
    app.jinja_env.filters["rich_block"] = rich_block
    app.jinja_env.filters["rich_plain"] = rich_plain
    app.context_processor(_htmx_context)


async def _htmx_context() -> dict[str, HtmxDetails]:
    """Templates choose page or fragment from the same object as Python (web/htmx.py)."""
    return {"htmx": htmx()}
