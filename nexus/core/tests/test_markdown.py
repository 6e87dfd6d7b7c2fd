from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from markdown_it import MarkdownIt

from nexus.core import markdown
from nexus.core.markdown import extract_mentions, plain_text, render_markdown

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
LINK_SCHEMES = {"http", "https", "mailto"}
IMAGE_SCHEMES = {"http", "https"}
URL_IGNORED_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f]")


class TagCollector(HTMLParser):
    """Every start tag in a fragment with its attributes, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def collect_tags(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    collector = TagCollector()
    collector.feed(html)
    collector.close()
    return collector.tags


def url_scheme(url: str) -> str:
    """The scheme a browser would see: whitespace and controls dropped, lowercased."""
    return urlsplit(URL_IGNORED_CHARS.sub("", url)).scheme.lower()


def assert_inert(html: str) -> None:
    for tag, attrs in collect_tags(html):
        assert tag in ALLOWED_TAGS, f"<{tag}> in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name} on <{tag}> in {html!r}"
            assert name != "style", f"style on <{tag}> in {html!r}"
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()), f"{name} on <{tag}> in {html!r}"
            if name in ("href", "src"):
                assert value is not None
                scheme = url_scheme(value)
                allowed = IMAGE_SCHEMES if tag == "img" else LINK_SCHEMES
                assert scheme == "" or scheme in allowed, f"{name}={value!r} in {html!r}"
            if tag == "code" and name == "class":
                assert value is not None
                assert re.fullmatch(r"language-[A-Za-z0-9_+#.-]{1,32}", value), html


XSS_PAYLOADS = [
    # raw tags, which must come out as text
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<embed src="https://evil.example/x.swf">',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<a href="javascript:alert(1)">raw link</a>',
    "<img src=x onerror=alert(1)//",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!-- <script>alert(1)</script> -->",
    "<!--><img src=x onerror=alert(1)>-->",
    '<form action="javascript:alert(1)"><input type="submit" onfocus="alert(1)" autofocus></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></math>",
    '<math href="javascript:alert(1)">click</math>',
    '<details open ontoggle="alert(1)">x</details>',
    '<a href="https://ok.example" target="_blank">tab-nabbing</a>',
    # markdown links and images
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](&#x6A;&#x61;vascript&#58;alert(1))",
    "[click](<java\tscript:alert(1)>)",
    "[click](java&#9;script:alert(1))",
    "[click](java&#10;script:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![img](data:image/png;base64,iVBORw0KGgo=)",
    "![img](javascript:alert(1))",
    "![img](mailto:someone@example.com)",
    '![x](https://ok.example/a.png "title\\" onerror=\\"alert(1))',
    "![x](https://ok.example/a.png \"x' onerror='alert(1)\")",
    '[x](https://ok.example "a" onclick="alert(1)")',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "[click][evil]\n\n[evil]: <data:text/html,hi> 'title'",
    "![pic][evil]\n\n[evil]: javascript:alert(1)",
    "[**nested <img src=x onerror=alert(1)>**](https://ok.example)",
    "[![img](javascript:alert(1))](javascript:alert(2))",
    # code fences and spans
    '```"><script>alert(1)</script>\ncode\n```',
    "```&quot;&gt;&lt;script&gt;alert(1)\ncode\n```",
    "``` onmouseover=alert(1)\ncode\n```",
    '```python" onclick="alert(1)\ncode\n```',
    "~~~" + "a" * 200 + "\ncode\n~~~",
    "`<script>alert(1)</script>`",
    # table cells
    "| a | b |\n|:-|-:|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_rendering_an_xss_payload_gives_inert_html(payload):
    assert_inert(render_markdown(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_sanitiser_holds_even_if_markdown_let_raw_html_through(payload, monkeypatch):
    # Defence in depth: with the first layer misconfigured, nh3 alone must cope.
    monkeypatch.setattr(markdown, "_markdown", MarkdownIt("js-default", {"html": True}))

    assert_inert(render_markdown(payload))


def test_raw_html_is_shown_as_text():
    html = render_markdown("<script>alert(1)</script> and <b>bold</b>")

    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_headings_render_with_their_level():
    html = render_markdown("# One\n\n### Three")

    assert "<h1>One</h1>" in html
    assert "<h3>Three</h3>" in html


def test_emphasis_strong_and_strikethrough_render():
    html = render_markdown("*em* **strong** ~~gone~~")

    assert html == "<p><em>em</em> <strong>strong</strong> <s>gone</s></p>\n"


def test_lists_render_and_an_ordered_list_keeps_its_start():
    html = render_markdown("- a\n- b\n\n3. c\n4. d")

    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>' in html


def test_tables_render_with_alignment_as_an_attribute_not_a_style():
    html = render_markdown("| a | b | c |\n|:-|:-:|-:|\n| 1 | 2 | 3 |")

    assert "<table>" in html
    assert '<th align="left">a</th>' in html
    assert '<th align="center">b</th>' in html
    assert '<td align="right">3</td>' in html
    assert "style" not in html


def test_a_code_fence_keeps_its_language_class():
    html = render_markdown("```python\nprint('hi')\n```")

    assert html == "<pre><code class=\"language-python\">print('hi')\n</code></pre>\n"


def test_a_code_fence_keeps_only_the_first_word_of_its_info_string():
    html = render_markdown("```c++ {linenos}\nint x;\n```")

    assert '<code class="language-c++">' in html


def test_a_code_fence_with_an_odd_language_has_no_class():
    html = render_markdown('```"><script>\nx\n```')

    assert html == "<pre><code>x\n</code></pre>\n"


def test_a_code_fence_with_an_overlong_language_has_no_class():
    html = render_markdown("```" + "a" * 33 + "\nx\n```")

    assert "class" not in html


def test_inline_code_is_escaped_not_rendered():
    html = render_markdown("use `<em>` here")

    assert html == "<p>use <code>&lt;em&gt;</code> here</p>\n"


def test_links_get_nofollow_noopener():
    html = render_markdown('[docs](https://docs.example/a "The docs")')

    assert html == (
        '<p><a href="https://docs.example/a" title="The docs" rel="nofollow noopener">'
        "docs</a></p>\n"
    )


def test_autolinks_and_mailto_and_relative_links_are_kept():
    html = render_markdown("<https://x.example> [me](mailto:me@x.example) [up](../guides/1)")

    assert '<a href="https://x.example" rel="nofollow noopener">' in html
    assert '<a href="mailto:me@x.example" rel="nofollow noopener">' in html
    assert '<a href="../guides/1" rel="nofollow noopener">' in html


def test_bare_urls_are_not_linkified():
    html = render_markdown("see https://x.example")

    assert "<a" not in html


def test_images_keep_an_https_source_and_alt_text():
    html = render_markdown('![a cat](https://img.example/cat.png "Cat")')

    assert html == '<p><img src="https://img.example/cat.png" alt="a cat" title="Cat"></p>\n'


@pytest.mark.parametrize(
    "source",
    [
        "![x](javascript:alert(1))",
        "![x](data:image/png;base64,iVBORw0KGgo=)",
        "![x](mailto:a@x.example)",
        "![x](ftp://x.example/a.png)",
    ],
)
def test_an_image_with_a_disallowed_scheme_loses_its_source(source):
    html = render_markdown(source)

    assert "src" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](<java\tscript:alert(1)>)",
        "[x](data:text/html,hi)",
        "[x](vbscript:msgbox)",
        "[x](ftp://x.example/file)",
        "[x](file:///etc/passwd)",
    ],
)
def test_a_link_with_a_disallowed_scheme_has_no_dangerous_href(source):
    html = render_markdown(source)

    for _tag, attrs in collect_tags(html):
        for name, value in attrs:
            if name == "href":
                assert value is not None
                assert url_scheme(value) in ("", "http", "https", "mailto")


def test_rendering_empty_text_gives_empty_html():
    assert render_markdown("") == ""


def test_mentions_are_listed_in_order_of_first_appearance():
    assert extract_mentions("@grace then @ada then @linus") == ["grace", "ada", "linus"]


def test_a_repeated_mention_is_listed_once_whatever_its_case():
    assert extract_mentions("@ada and @ada again, and @ADA") == ["ada"]


def test_trailing_punctuation_is_not_part_of_a_mention():
    assert extract_mentions("thanks @ada, @grace. @linus! (@ken) @bwk?") == [
        "ada",
        "grace",
        "linus",
        "ken",
        "bwk",
    ]


def test_mentions_in_code_spans_and_fences_are_ignored():
    source = "`@ada` and\n\n```\n@grace\n```\n\n    @linus\n\nbut @ken"

    assert extract_mentions(source) == ["ken"]


def test_email_addresses_are_not_mentions():
    assert extract_mentions("mail foo@bar.com or a.b+c@ada.example, ping @ken") == ["ken"]


def test_a_domain_like_name_and_a_url_path_are_not_mentions():
    assert extract_mentions("@bar.com and https://social.example/@ada") == []


def test_mentions_inside_emphasis_and_link_text_count():
    assert extract_mentions("**@ada** and [@grace](/u/grace)") == ["ada", "grace"]


def test_usernames_must_fit_the_username_pattern():
    too_long = "a" * 31

    assert extract_mentions(f"@ab @{too_long} @-ada @ada- @ada_lovelace @a-b") == [
        "ada_lovelace",
        "a-b",
    ]


def test_text_without_mentions_has_none():
    assert extract_mentions("") == []
    assert extract_mentions("just @ and @@ and @!") == []


def test_plain_text_drops_markup_and_collapses_whitespace():
    source = "# Title\n\nSome **bold**  and _em_ [link](https://x.example).\n\n- one\n- two"

    assert plain_text(source) == "Title Some bold and em link. one two"


def test_plain_text_keeps_code_and_image_alt_text():
    source = "Run `make`:\n\n```sh\nmake   test\n```\n\n![a diagram](d.png)"

    assert plain_text(source) == "Run make: make test a diagram"


def test_plain_text_shows_raw_html_as_text_without_rendering_it():
    assert plain_text("a <b>b</b> &amp; c") == "a <b>b</b> & c"


def test_plain_text_within_the_limit_is_not_cut():
    assert plain_text("short text", limit=10) == "short text"


def test_plain_text_is_cut_on_a_word_boundary_with_an_ellipsis():
    text = plain_text("The quick brown fox jumps over the lazy dog", limit=18)

    assert text == "The quick brown…"
    assert len(text) <= 18


def test_plain_text_cut_exactly_at_a_word_end_keeps_that_word():
    assert plain_text("alpha beta gamma", limit=11) == "alpha beta…"


def test_plain_text_cut_drops_trailing_punctuation_before_the_ellipsis():
    assert plain_text("first, second third", limit=10) == "first…"


def test_plain_text_cuts_a_single_long_word_mid_word():
    assert plain_text("supercalifragilistic", limit=6) == "super…"


def test_plain_text_rejects_a_limit_below_one():
    with pytest.raises(ValueError, match="at least 1"):
        plain_text("text", limit=0)
