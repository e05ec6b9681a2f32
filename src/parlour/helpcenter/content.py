"""Article bodies: Markdown rendered, HTML sanitised, plain text for search and snippets.

Everything shown from an article goes through nh3 (the Ammonia sanitiser): whatever an admin or
an import wrote, no script, event handler or `javascript:` link survives.
"""

import html
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

FORMATS = ("markdown", "html")

# CommonMark with tables; raw HTML inside Markdown is allowed because nh3 cleans the result.
_markdown = MarkdownIt("commonmark", {"html": True}).enable("table")
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|tr|td|th|blockquote|pre|ul|ol|table|section)>|<br\s*/?>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass(frozen=True)
class Rendered:
    html: str
    text: str


def sanitise(raw_html: str) -> str:
    return nh3.clean(raw_html, url_schemes=_URL_SCHEMES, link_rel="noopener noreferrer nofollow")


def render(body: str, body_format: str) -> Rendered:
    raw = _markdown.render(body) if body_format == "markdown" else body
    clean = sanitise(raw)
    return Rendered(html=clean, text=plain_text(clean))


def plain_text(clean_html: str) -> str:
    with_breaks = _BLOCK_END.sub(lambda m: m.group(0) + "\n", clean_html)
    stripped = html.unescape(nh3.clean(with_breaks, tags=set()))
    lines = (_SPACES.sub(" ", line).strip() for line in stripped.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def snippet(text: str, limit: int = 300) -> str:
    """The start of an article, whole lines (paragraphs, list items) while they fit, else cut at
    a sentence or word boundary."""
    lines = [" ".join(line.split()) for line in text.split("\n") if line.strip()]
    kept: list[str] = []
    for line in lines:
        if sum(len(k) + 1 for k in kept) + len(line) > limit:
            break
        kept.append(line)
    if kept:
        return "\n".join(kept)
    flat = lines[0] if lines else ""
    cut = flat[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if sentence_end > limit // 2:
        return cut[: sentence_end + 1]
    return cut[: cut.rfind(" ")].rstrip(",;:") + "…" if " " in cut else cut
