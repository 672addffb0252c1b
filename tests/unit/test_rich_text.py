"""Rich text: Markdown and HTML rendered through an allow-list; nothing hostile survives."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from web.rich_text import rich_block
from web.rich_text import rich_inline
from web.rich_text import rich_plain

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="/attacker-page"></iframe>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<object data=javascript:alert(1)>",
    '<base href="javascript:/">',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<b onmouseover=alert(1)>hover</b>",
    "`<script>alert(1)</script>`",
]
SAFE_TAGS = {"a", "b", "code", "em", "i", "img", "p", "pre", "strong", "sub", "sup"}
SAFE_URL = re.compile(r"^(https?:|mailto:|data:image/(png|jpeg|gif|webp);)", re.IGNORECASE)


class Elements(HTMLParser):
    """Every element and attribute the browser would build from the output."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


RUNNABLE_TAGS = {"script", "iframe", "frame", "object", "embed", "svg", "math", "style", "base"}
RUNNABLE_TAGS |= {"meta", "link", "applet", "template", "noscript"}


def executable(html: str, *, allowed: set[str] | None = None) -> list[str]:
    """What in `html` could run or fetch: tags outside `allowed` (the rich-text allow-list;
    for a whole page, everything but tags that run code), event handlers, inline styles,
    and URLs other than http(s), mail and raster data: images."""
    parser = Elements()
    parser.feed(html)
    risks = []
    for tag, attrs in parser.found:
        if (tag not in allowed) if allowed is not None else (tag in RUNNABLE_TAGS):
            risks.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                risks.append(f"{tag}[{name}]")
            relative = allowed is None and (value or "").startswith(("/", "#", "?"))
            if name in ("href", "src", "data") and not (relative or SAFE_URL.match(value or "")):
                risks.append(f"{tag}[{name}={value}]")
    return risks


@pytest.mark.parametrize("payload", HOSTILE)
@pytest.mark.parametrize("text_format", ["plain", "markdown", "html"])
@pytest.mark.parametrize("render", [rich_inline, rich_block, rich_plain])
def test_nothing_hostile_survives(payload: str, text_format: str, render: object) -> None:
    html = str(render(payload, text_format))  # type: ignore[operator]
    assert executable(html, allowed=SAFE_TAGS) == [], html


def test_the_check_itself_sees_an_executable_payload() -> None:
    assert executable('<img src=x onerror=alert(1)><a href="javascript:x"><svg>') == [
        "img[src=x]",
        "img[onerror]",
        "a[href=javascript:x]",
        "<svg>",
    ]


@pytest.mark.parametrize(
    ("text", "text_format", "inline", "expected"),
    [
        ("2 * 3 * 4 <b>", "plain", True, "2 * 3 * 4 &lt;b&gt;"),
        ("Use `print()` *now*", "markdown", True, "Use <code>print()</code> <em>now</em>"),
        ("```\nx = 1\n```", "markdown", False, "<pre><code>x = 1\n</code></pre>\n"),
        ("<p>H<sub>2</sub>O</p>", "html", True, "H<sub>2</sub>O"),
        ("<p>H<sub>2</sub>O</p>", "html", False, "<p>H<sub>2</sub>O</p>"),
        (
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">',
            "html",
            True,
            '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">',
        ),
        (
            '<a href="https://example.org">x</a>',
            "html",
            True,
            '<a href="https://example.org" rel="noopener noreferrer nofollow">x</a>',
        ),
    ],
)
def test_rich_text_keeps_what_authors_write(
    text: str, text_format: str, inline: bool, expected: str
) -> None:
    render = rich_inline if inline else rich_block
    assert str(render(text, text_format)) == expected


def test_an_option_gets_the_words_without_markup() -> None:
    assert str(rich_plain("<b>Mars</b> &amp; moons", "html")) == "Mars &amp; moons"
    assert str(rich_plain("**Mars**", "markdown")) == "Mars"
    assert str(rich_plain("<b>Mars</b>", "plain")) == "&lt;b&gt;Mars&lt;/b&gt;"
