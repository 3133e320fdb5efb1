"""Article and notice bodies: checked, rendered and sanitised for readers.

The submitted body is stored as given; readers get `render(body, format)`:
Markdown through markdown-it-py with raw HTML disabled (it is shown as text), plain
text escaped into paragraphs, and the resulting HTML through nh3 with an allowlist
of tags, attributes and URL schemes, so no script can reach a reader. Bodies with
script or event-handler HTML are refused outright (`UnsafeBody`): what was meant
to run is an attack, not an article.
"""

from __future__ import annotations

import functools
import html
import re

import nh3
from markdown_it import MarkdownIt

from services.publicity.domain.errors import BodyEmpty, BodyTooLong, UnsafeBody
from services.publicity.domain.model import BodyFormat

MAX_BODY = 20_000

TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del",
    "s", "blockquote", "ul", "ol", "li", "code", "pre", "a", "img", "table",
    "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
SCHEMES = {"http", "https", "mailto"}

UNSAFE = (
    (
        "script",
        re.compile(
            r"<\s*/?\s*(script|iframe|frame|frameset|object|embed|svg|math|style|"
            r"link|meta|base|form|applet)\b",
            re.IGNORECASE,
        ),
    ),
    ("event_handler", re.compile(r"<[^>]*?[\s\"'/]on[a-z]+\s*=", re.IGNORECASE)),
    (
        "script_url",
        re.compile(r"(java|vb)\s*script\s*:|data\s*:\s*text/html", re.IGNORECASE),
    ),
)


@functools.cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def check_body(body: str) -> str:
    """The body as given, or a typed error: empty, too long, or unsafe."""
    if not body.strip():
        raise BodyEmpty()
    if len(body) > MAX_BODY:
        raise BodyTooLong(length=len(body), limit=MAX_BODY)
    for name, pattern in UNSAFE:
        if pattern.search(body):
            raise UnsafeBody(found=name)
    return body


def render(body: str, fmt: BodyFormat) -> str:
    """Safe HTML for readers, whatever the body holds."""
    if fmt is BodyFormat.MARKDOWN:
        raw = _markdown().render(body)
    else:
        paragraphs = [p for p in re.split(r"\n\s*\n", body.strip()) if p.strip()]
        raw = "".join(
            "<p>" + html.escape(p.strip()).replace("\n", "<br>") + "</p>\n"
            for p in paragraphs
        )
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
