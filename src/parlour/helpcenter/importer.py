"""Reading articles to import: a folder of Markdown/HTML files or a Zendesk Help Center export.

Only parsing lives here; `actions.do_import_article` writes each article (matched by external
id, so re-importing the same source updates instead of duplicating).

- Markdown (`.md`, `.markdown`) and HTML (`.html`, `.htm`) files, in sub-folders too. Optional
  YAML front matter between `---` lines: `title`, `locale`, `section`, `labels`, `draft`,
  `userSegment` (everyone | signed_in), `htmlUrl`, `id`. Without a title, the first heading is
  the title (and is removed from the body); without a heading, the file name.
- Zendesk (`.json`, alone or in the folder): `{"articles": [{"id", "title", "body", "locale",
  "section_id", "label_names", "draft", "html_url", "user_segment_id", …}]}` as the Help Center
  API lists them. An article with a `user_segment_id` is restricted to signed-in users.
"""

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from parlour.helpcenter.actions import ArticleSpec
from parlour.helpcenter.errors import InvalidImport

MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm")
MAX_FILE_BYTES = 2 * 1024 * 1024
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_MD_HEADING = re.compile(r"^[ \t]{0,3}#[ \t]+(.+?)[ \t#]*$", re.M)
_HTML_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Item:
    source: str
    spec: ArticleSpec | None
    problem: str | None = None


def read_source(path: Path) -> list[Item]:
    """Every article found at `path` (a folder or one JSON export), in a stable order."""
    if not path.exists():
        raise InvalidImport(f"{path} does not exist")
    if path.is_file():
        if path.suffix.lower() != ".json":
            return [_file_item(path, path.parent)]
        return list(_zendesk_items(path))
    items: list[Item] = []
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        suffix = file.suffix.lower()
        if suffix == ".json":
            items.extend(_zendesk_items(file))
        elif suffix in MARKDOWN_SUFFIXES + HTML_SUFFIXES:
            items.append(_file_item(file, path))
    return items


def _read_text(file: Path) -> str:
    if file.stat().st_size > MAX_FILE_BYTES:
        raise InvalidImport(f"{file.name} is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidImport(f"{file.name} is not UTF-8 text") from None


def _file_item(file: Path, root: Path) -> Item:
    source = file.relative_to(root).as_posix() if file != root else file.name
    try:
        text = _read_text(file)
        meta, body = _split_front_matter(text)
        spec = _file_spec(file, source, meta, body)
    except InvalidImport as exc:
        return Item(source, None, exc.title)
    return Item(source, spec)


def _split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise InvalidImport(f"the front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise InvalidImport("the front matter must be a mapping of fields")
    return meta, text[match.end() :]


def _text(meta: dict[str, Any], key: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidImport(f"front matter {key!r} must be text")
    return str(value)


def _file_spec(file: Path, source: str, meta: dict[str, Any], body: str) -> ArticleSpec:
    is_markdown = file.suffix.lower() in MARKDOWN_SUFFIXES
    title = _text(meta, "title")
    if title is None:
        heading = (_MD_HEADING if is_markdown else _HTML_HEADING).search(body)
        if heading is not None:
            title = html.unescape(_TAGS.sub("", heading.group(1))).strip()
            body = body[: heading.start()] + body[heading.end() :]
    labels = meta.get("labels", [])
    if isinstance(labels, str):
        labels = [part.strip() for part in labels.split(",") if part.strip()]
    if not isinstance(labels, list):
        raise InvalidImport("front matter 'labels' must be a list")
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        raise InvalidImport("front matter 'draft' must be true or false")
    segment = _text(meta, "userSegment") or ("signed_in" if meta.get("restricted") is True else "everyone")
    return ArticleSpec(
        title=title or file.stem.replace("-", " ").replace("_", " ").strip().capitalize(),
        body=body.strip(),
        body_format="markdown" if is_markdown else "html",
        locale=_text(meta, "locale"),
        section=_text(meta, "section"),
        labels=[str(label) for label in labels],
        draft=draft,
        user_segment=segment,
        html_url=_text(meta, "htmlUrl"),
        external_id=f"id:{_text(meta, 'id')}" if meta.get("id") is not None else f"file:{source}"[:300],
    )


def _zendesk_items(file: Path) -> Iterator[Item]:
    try:
        document = json.loads(_read_text(file))
    except ValueError:
        raise InvalidImport(f"{file.name} is not valid JSON") from None
    articles = document.get("articles") if isinstance(document, dict) else None
    if not isinstance(articles, list):
        raise InvalidImport(f'{file.name} is not a Zendesk articles export: expected {{"articles": [...]}}')
    for index, raw in enumerate(articles):
        source = f"{file.name}#{index}"
        try:
            yield Item(source, _zendesk_spec(raw))
        except InvalidImport as exc:
            yield Item(source, None, exc.title)


def _zendesk_spec(raw: Any) -> ArticleSpec:
    if not isinstance(raw, dict):
        raise InvalidImport("an article must be an object")
    article_id = raw.get("id")
    if isinstance(article_id, bool) or not isinstance(article_id, int | str) or str(article_id) == "":
        raise InvalidImport("an article needs an id")
    title, body = raw.get("title"), raw.get("body") or ""
    if not isinstance(title, str) or not isinstance(body, str):
        raise InvalidImport(f"article {article_id}: title and body must be text")
    labels = raw.get("label_names") or []
    if not isinstance(labels, list):
        raise InvalidImport(f"article {article_id}: label_names must be a list")
    section = raw.get("section_id")
    locale = raw.get("locale")
    html_url = raw.get("html_url")
    return ArticleSpec(
        title=title,
        body=body,
        body_format="html",
        locale=locale if isinstance(locale, str) else None,
        section=str(section) if isinstance(section, int | str) and not isinstance(section, bool) else None,
        labels=[str(label) for label in labels],
        draft=raw.get("draft") is True,
        user_segment="signed_in" if raw.get("user_segment_id") is not None else "everyone",
        html_url=html_url if isinstance(html_url, str) and html_url else None,
        external_id=f"zendesk:{article_id}",
    )
