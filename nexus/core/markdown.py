"""The one markdown renderer for user-written content.

Every app renders guides, comments, solutions and messages through
`render_markdown`, reads mentions with `extract_mentions` and builds snippets
with `plain_text`, so the safety rules live in one place.

Rendering is two layers: markdown-it with raw HTML off never emits tags the
user typed, and nh3 then re-sanitises the result against an allow-list, so a
bug or a future option in one layer is caught by the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

__all__ = ["extract_mentions", "plain_text", "render_markdown"]

ALLOWED_TAGS: Final = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "del", "s", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: Final[dict[str, frozenset[str]]] = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title"}),
    "code": frozenset({"class"}),
    "ol": frozenset({"start"}),
}
# `align` may only take these values, so nh3 checks it without a callback.
ALLOWED_ATTRIBUTE_VALUES: Final[dict[str, dict[str, frozenset[str]]]] = {
    cell: {"align": frozenset({"left", "center", "right"})} for cell in ("th", "td")
}
LINK_SCHEMES: Final = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES: Final = frozenset({"http", "https"})
LINK_REL: Final = "nofollow noopener"

FENCE_LANGUAGE_RE: Final = re.compile(r"[A-Za-z0-9_+#.-]{1,32}")
CODE_CLASS_RE: Final = re.compile(r"language-[A-Za-z0-9_+#.-]{1,32}")
# Browsers drop ASCII whitespace and control characters from a URL before
# reading its scheme, so "java\tscript:" must be judged as "javascript:".
URL_IGNORED_CHARS_RE: Final = re.compile(r"[\x00-\x20\x7f-\x9f]")
URL_SCHEME_RE: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

# Mirrors accounts.models.USERNAME_PATTERN; core must not import app models.
USERNAME_PATTERN: Final = r"[A-Za-z0-9](?:[A-Za-z0-9_-]{1,28})[A-Za-z0-9]"
# Not after a character that makes the "@" part of an email address or a URL
# path (foo@bar.com, https://social.example/@ada); not followed by more
# username characters, another "@" or a ".domain" tail.
MENTION_RE: Final = re.compile(
    rf"(?<![A-Za-z0-9_.+\-/@])@(?P<username>{USERNAME_PATTERN})(?![A-Za-z0-9_\-@]|\.[A-Za-z0-9])"
)
WHITESPACE_RE: Final = re.compile(r"\s+")
ELLIPSIS: Final = "…"


def _normalise_fence_language(state: StateCore) -> None:
    """Keep only a safe first word of each fence's info string as its language."""
    for token in state.tokens:
        if token.type != "fence":
            continue
        words = unescapeAll(token.info).split(maxsplit=1)
        language = words[0] if words else ""
        token.info = language if FENCE_LANGUAGE_RE.fullmatch(language) else ""


def _table_alignment_as_attribute(state: StateCore) -> None:
    """Turn markdown-it's `style="text-align:x"` on cells into `align="x"`.

    `style` is never allowed through the sanitiser, and `align` can be checked
    against a fixed set of values.
    """
    for token in state.tokens:
        if token.type not in ("th_open", "td_open"):
            continue
        style = token.attrs.pop("style", None)
        if isinstance(style, str) and style.startswith("text-align:"):
            token.attrSet("align", style.removeprefix("text-align:"))


def _build_markdown() -> MarkdownIt:
    # js-default: CommonMark + tables + strikethrough, raw HTML off. linkify
    # stays off: it needs linkify-it-py, and autolinks (<https://...>) cover it.
    md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
    md.core.ruler.push("nexus_fence_language", _normalise_fence_language)
    md.core.ruler.push("nexus_table_alignment", _table_alignment_as_attribute)
    return md


def _url_scheme(url: str) -> str | None:
    """The lowercased scheme of `url` as a browser reads it, None if relative."""
    match = URL_SCHEME_RE.match(URL_IGNORED_CHARS_RE.sub("", url))
    return match.group(1).lower() if match else None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3 callback: drop attribute values the allow-list alone cannot judge."""
    if tag == "code" and attribute == "class":
        return value if CODE_CLASS_RE.fullmatch(value) else None
    if tag == "ol" and attribute == "start":
        return value if value.isascii() and value.isdigit() and len(value) <= 9 else None
    if attribute in ("href", "src"):
        # nh3 also checks schemes; this repeats it per tag, since images may
        # not use mailto:, and judges the scheme the way browsers do.
        scheme = _url_scheme(value)
        allowed = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
        return value if scheme is None or scheme in allowed else None
    return value


_markdown: Final = _build_markdown()
_cleaner: Final = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=frozenset({"script", "style"}),
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_filter_attribute,
    strip_comments=True,
    link_rel=LINK_REL,
    tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
    url_schemes=LINK_SCHEMES,
)


def render_markdown(source: str) -> str:
    """Render user-written markdown to HTML that is safe to put in a page.

    CommonMark with tables and strikethrough; raw HTML in `source` is shown
    as text. The output holds only the allow-listed tags and attributes: no
    scripts, styles or event handlers; links are http, https, mailto or
    relative and carry rel="nofollow noopener"; images are http, https or
    relative; fenced code keeps a `language-xxx` class when the language is
    a plain word. Never raises on any input.
    """
    return _cleaner.clean(_markdown.render(source))


def _inline_tokens(tokens: Sequence[Token]) -> Iterator[Token]:
    """The top-level children of every inline token, in document order."""
    for token in tokens:
        if token.type == "inline" and token.children:
            yield from token.children


def extract_mentions(source: str) -> list[str]:
    """The distinct @usernames mentioned in `source`, in order of first mention.

    Only prose counts: mentions in code spans, code blocks, image alt text,
    email addresses (foo@bar.com) and URL paths are ignored. Usernames are
    unique regardless of case, so "@Ada" after "@ada" is a duplicate; the
    first spelling is kept. Trailing punctuation ("@ada," "@ada.") is not
    part of the name.
    """
    mentions: dict[str, str] = {}
    for token in _inline_tokens(_markdown.parse(source)):
        if token.type != "text":
            continue
        for match in MENTION_RE.finditer(token.content):
            username = match.group("username")
            mentions.setdefault(username.casefold(), username)
    return list(mentions.values())


def _text_fragments(tokens: Sequence[Token]) -> Iterator[str]:
    """The visible text of a token stream, with a space wherever words break."""
    for token in tokens:
        if token.type in ("text", "code_inline"):
            yield token.content
        elif token.type in ("fence", "code_block"):
            yield token.content
            yield " "
        elif token.type in ("softbreak", "hardbreak"):
            yield " "
        elif token.children:
            # inline tokens, and images whose children are their alt text
            yield from _text_fragments(token.children)
            if token.type == "inline":
                yield " "


def plain_text(source: str, limit: int | None = None) -> str:
    """The text of `source` without markup, with whitespace collapsed.

    Code keeps its text; images become their alt text. With `limit`, a
    longer result is cut on a word boundary (mid-word only when the first
    word is too long) and ends with "…", and is at most `limit` characters
    including it. Raises ValueError if `limit` is less than 1.
    """
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    fragments = _text_fragments(_markdown.parse(source))
    text = WHITESPACE_RE.sub(" ", "".join(fragments)).strip()
    if limit is None or len(text) <= limit:
        return text
    kept = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in kept:
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:") + ELLIPSIS
