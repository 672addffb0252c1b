"""Rich text: question words written in Markdown or HTML, rendered and sanitised for display.

Authors and imported files (GIFT `[markdown]`/`[html]`, Moodle XML) write question text,
choices, explanations and feedback as plain text, Markdown or HTML. Whatever the format,
what reaches the page passes nh3's allow-list: no scripts, no event handlers, no `style`
(the CSP forbids inline styles anyway), links only to http(s) and mail, images only from
`data:` URIs of raster types (imports inline them; nothing is fetched from elsewhere).
Plain text is escaped by Jinja as always. Two shapes: `inline` for places that hold only
phrasing content (a legend, a label, a heading), `block` for explanations and feedback.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from markupsafe import escape

from web.models import TextFormat

INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "br", "cite", "code", "del", "em", "i", "img", "ins", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var", "wbr"}
)
BLOCK_TAGS = INLINE_TAGS | frozenset(
    {"blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "hr", "li", "ol", "p"}
    | {"pre", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto", "data"}
IMAGE_DATA = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")

# Raw HTML inside Markdown is shown as text, not parsed: an author who wants HTML says so.
_markdown = MarkdownIt("commonmark", {"html": False})


def _allowed_value(tag: str, attribute: str, value: str) -> str | None:
    """An image only from a raster `data:` URI (SVG can carry scripts, and nothing is
    fetched from elsewhere); a link only to an absolute http(s) or mail address."""
    lowered = value.strip().lower()
    if tag == "img" and attribute == "src":
        return value if lowered.startswith(IMAGE_DATA) else None
    if attribute == "href":
        return value if lowered.startswith(("http://", "https://", "mailto:")) else None
    return value


def _clean(html: str, tags: frozenset[str]) -> Markup:
    cleaned = nh3.clean(
        html,
        tags=set(tags),
        attributes={tag: names for tag, names in ATTRIBUTES.items() if tag in tags},
        attribute_filter=_allowed_value,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # noqa: S704 - sanitised by nh3's allow-list just above


@lru_cache(maxsize=4096)
def render(text: str, text_format: str, *, inline: bool) -> Markup:
    """The text as safe HTML. Cached: published questions are immutable, so the same words
    come back on every card, feedback and review."""
    if text_format == TextFormat.MARKDOWN:
        html = _markdown.renderInline(text) if inline else _markdown.render(text)
    elif text_format == TextFormat.HTML:
        html = text
    else:
        return escape(text)
    return _clean(html, INLINE_TAGS if inline else BLOCK_TAGS)


def rich_inline(text: str, text_format: str) -> Markup:
    """For a legend, a label or a heading: phrasing content only."""
    return render(text, text_format, inline=True)


def rich_plain(text: str, text_format: str) -> Markup:
    """For an <option>, which holds text only: the words without their markup."""
    if text_format == TextFormat.PLAIN:
        return escape(text)
    return Markup(nh3.clean(str(render(text, text_format, inline=True)), tags=set()))  # noqa: S704 - no tags survive


def rich_block(text: str, text_format: str) -> Markup:
    """For an explanation or a feedback note: paragraphs, lists and code blocks too."""
    return render(text, text_format, inline=False)
