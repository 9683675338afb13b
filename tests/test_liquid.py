"""Jekyll-flavoured Liquid: filters, tags, and errors located in the source file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from llmcourse.errors import ContentError
from llmcourse.liquid import (
    JekyllLiquid,
    LiquidContext,
    create_liquid_environment,
    render_liquid,
)

TZ = timezone(timedelta(hours=8))
SITE_TIME = datetime(2025, 9, 14, 8, 0, tzinfo=TZ)
PAGE = {"title": "LLM", "date": "2025-09-07 08:05:09 +0800", "tags": ["GenAI", "NLP"]}


def make_ctx(tmp_path: Path, *, baseurl: str = "/AI-course", **overrides: Any) -> LiquidContext:
    fields: dict[str, Any] = {
        "site": {"time": SITE_TIME, "title": "AI Course", "baseurl": "/from-yaml"},
        "baseurl": baseurl,
        "url": "https://user.github.io",
        "urls_by_source": {
            "content/lectures/2025-09-14-LLM.md": "/lectures/LLM/",
            "lectures/2025-09-14-LLM.md": "/lectures/LLM/",
        },
        "post_urls": {"2025-09-14-LLM": "/lectures/LLM/"},
        "includes_dirs": (tmp_path / "site_includes", tmp_path / "theme_includes"),
        "markdownify": lambda text: f"<p>{text}</p>\n",
    }
    fields.update(overrides)
    return LiquidContext(**fields)


@pytest.fixture
def env(tmp_path: Path) -> JekyllLiquid:
    return create_liquid_environment(make_ctx(tmp_path))


def render(env: JekyllLiquid, text: str, page: dict[str, Any] | None = None) -> str:
    return render_liquid(env, text, path="content/lectures/a.md", line_offset=10,
                         page=PAGE if page is None else page)


def error(env: JekyllLiquid, text: str) -> str:
    with pytest.raises(ContentError) as info:
        render(env, text)
    return str(info.value)


# --- fast path, variables -------------------------------------------------------------------


def test_text_without_liquid_is_returned_unchanged(env: JekyllLiquid) -> None:
    text = "# Title\n\n{ not liquid } and %} and }} stay\n"
    assert render(env, text) is text


def test_seed_footer_renders_site_time(env: JekyllLiquid) -> None:
    text = '*This site was last updated {{ site.time | date: "%B %d, %Y" }}.*'
    assert render(env, text) == "*This site was last updated September 14, 2025.*"


def test_page_and_site_variables(env: JekyllLiquid) -> None:
    text = "{{ page.title }} / {{ site.title }} / {{ site.baseurl }} / {{ site.url }}"
    # The build's baseurl/url override site.yaml's.
    assert render(env, text) == "LLM / AI Course / /AI-course / https://user.github.io"


def test_one_environment_renders_each_page_its_own_way(env: JekyllLiquid) -> None:
    """Spans are parsed once per text and site-only spans rendered once per build: pages that
    share a footer still get their own page.* values."""
    footer = "Text.\n\n{{ site.title }}, {{ page.title }}\n"
    site_only = "Text.\n\n{{ site.time | date: '%Y' }} {{ site.title }}\n"
    for title in ("First", "Second", "Third"):
        assert render(env, footer, {"title": title}) == f"Text.\n\nAI Course, {title}\n"
        assert render(env, site_only, {"title": title}) == "Text.\n\n2025 AI Course\n"
    assert render(env, "{% if page.title == 'A' %}a{% else %}b{% endif %}",
                  {"title": "A"}) == "a"
    assert render(env, "{% if page.title == 'A' %}a{% else %}b{% endif %}",
                  {"title": "B"}) == "b"


def test_undefined_variables_render_empty(env: JekyllLiquid) -> None:
    assert render(env, "[{{ nope }}|{{ page.missing.deeper | upcase }}]") == "[|]"


def test_standard_filters_remain(env: JekyllLiquid) -> None:
    assert render(env, '{{ "a,b" | split: "," | join: "+" | upcase }}') == "A+B"
    assert render(env, '{{ page.nothing | default: "dflt" }}') == "dflt"


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ page.date | date: "%Y-%m-%d %H:%M" }}', "2025-09-07 08:05"),
        ('{{ page.date | date: "%-d/%-m %-H:%M:%-S" }}', "7/9 8:05:9"),
        ('{{ page.date | date: "%e|%_m|%^b|%a %A %P %p" }}', " 7| 9|SEP|Sun Sunday am AM"),
        ('{{ page.date | date: "%z %:z" }}', "+0800 +08:00"),
        ('{{ "now" | date: "%Y" }}', "2025"),
        ('{{ "2025-09-14" | date: "%b %d" }}', "Sep 14"),
        ('{{ "not a date" | date: "%Y" }}', "not a date"),  # Liquid returns the input
        ("{{ page.date | date_to_xmlschema }}", "2025-09-07T08:05:09+08:00"),
        ("{{ page.date | date_to_rfc822 }}", "Sun, 07 Sep 2025 08:05:09 +0800"),
        ("{{ page.date | date_to_string }}", "07 Sep 2025"),
        ('{{ page.date | date_to_string: "ordinal" }}', "7th Sep 2025"),
        ('{{ page.date | date_to_string: "ordinal", "US" }}', "Sep 7th, 2025"),
        ("{{ page.date | date_to_long_string }}", "07 September 2025"),
        ('{{ page.date | date_to_long_string: "ordinal", "US" }}', "September 7th, 2025"),
        ("{{ site.time | date_to_xmlschema }}", "2025-09-14T08:00:00+08:00"),
        ("{{ page.missing | date_to_string }}", ""),
    ],
)
def test_date_filters(env: JekyllLiquid, template: str, expected: str) -> None:
    assert render(env, template) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2025, 9, 1), "2025-09-01T00:00:00+08:00"),  # a YAML date: midnight, site zone
        (datetime(2025, 9, 2, 10, 30), "2025-09-02T10:30:00+08:00"),
        (datetime(2025, 9, 3, 1, 2, 3, tzinfo=UTC), "2025-09-03T01:02:03+00:00"),
        ("2025-09-04T05:06:07Z", "2025-09-04T05:06:07+00:00"),
    ],
)
def test_date_inputs(env: JekyllLiquid, value: object, expected: str) -> None:
    assert render(env, "{{ page.date | date_to_xmlschema }}", {"date": value}) == expected


@pytest.mark.parametrize("day,expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"),
                                          (12, "12th"), (13, "13th"), (22, "22nd"), (23, "23rd")])
def test_ordinal_days(env: JekyllLiquid, day: int, expected: str) -> None:
    page = {"date": date(2025, 1, day)}
    text = '{{ page.date | date_to_string: "ordinal" }}'
    assert render(env, text, page) == f"{expected} Jan 2025"


def test_invalid_date_for_jekyll_date_filter_is_an_error(env: JekyllLiquid) -> None:
    assert error(env, "x\n{{ 'soon' | date_to_string }}") == (
        "content/lectures/a.md:11: date_to_string: invalid date 'soon'"
    )


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseurl", "template", "expected"),
    [
        ("/AI-course", "{{ '/x/y.png' | relative_url }}", "/AI-course/x/y.png"),
        ("/AI-course", "{{ 'x' | relative_url }}", "/AI-course/x"),
        ("/AI-course/", "{{ '/x' | relative_url }}", "/AI-course/x"),
        ("", "{{ '/x' | relative_url }}", "/x"),
        ("", "{{ 'x' | relative_url }}", "/x"),
        ("/AI-course", "{{ 'https://e.org/a' | relative_url }}", "https://e.org/a"),
        ("/AI-course", "{{ '/a b' | relative_url }}", "/AI-course/a%20b"),
        ("/AI-course", "{{ '/x' | absolute_url }}", "https://user.github.io/AI-course/x"),
        ("", "{{ 'x' | absolute_url }}", "https://user.github.io/x"),
        ("/AI-course", "{% link lectures/2025-09-14-LLM.md %}", "/AI-course/lectures/LLM/"),
        ("", "{% link content/lectures/2025-09-14-LLM.md %}", "/lectures/LLM/"),
        ("/AI-course", "{% post_url 2025-09-14-LLM %}", "/AI-course/lectures/LLM/"),
        ("/AI-course", "{% post_url lectures/2025-09-14-LLM %}", "/AI-course/lectures/LLM/"),
        ("", "{% post_url 2025-09-14-LLM %}", "/lectures/LLM/"),
    ],
)
def test_urls(tmp_path: Path, baseurl: str, template: str, expected: str) -> None:
    env = create_liquid_environment(make_ctx(tmp_path, baseurl=baseurl))
    assert render(env, template) == expected


def test_post_url_with_liquid_variable(env: JekyllLiquid) -> None:
    page = {"prev": "2025-09-14-LLM"}
    assert render(env, "{% post_url {{ page.prev }} %}", page) == "/AI-course/lectures/LLM/"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("a\n{% post_url 2099-01-01-nope %}", ("content/lectures/a.md:11: post '2099-01-01-nope' "
         "not found (post_url takes a post file name without extension, e.g. 2025-09-14-LLM)")),
        ("{% link lectures/missing.md %}", ("content/lectures/a.md:10: link target "
         "'lectures/missing.md' not found (link takes a source path relative to the site root)")),
    ],
)
def test_unknown_link_targets(env: JekyllLiquid, template: str, expected: str) -> None:
    assert error(env, template) == expected


# --- text filters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'Hello, World_again!' | slugify }}", "hello-world-again"),
        ("{{ '大型語言模型 (LLM) 簡介' | slugify }}", "大型語言模型-llm-簡介"),
        ("{{ 'Café Ünïcode' | slugify }}", "café-ünïcode"),
        ("{{ 'Café v1.0' | slugify: 'pretty' }}", "café-v1.0"),
        ("{{ 'Café v1.0' | slugify: 'latin' }}", "cafe-v1-0"),
        ("{{ '<p>a <b>b</b></p>' | strip_html }}", "a b"),
        ("{{ 'a & <b> \"c\"' | xml_escape }}", "a &amp; &lt;b&gt; &quot;c&quot;"),
        ("{{ page.tags | jsonify }}", '["GenAI","NLP"]'),
        ("{{ '中文' | jsonify }}", '"中文"'),
        ("{{ '**x**' | markdownify }}", "<p>**x**</p>\n"),
        ("{{ 'one two  three' | number_of_words }}", "3"),
        ("{{ '大型語言 model' | number_of_words }}", "2"),
        ("{{ '大型語言 model' | number_of_words: 'cjk' }}", "5"),
        ("{{ '大型語言 model' | number_of_words: 'auto' }}", "5"),
        ("{{ 'plain words' | number_of_words: 'auto' }}", "2"),
    ],
)
def test_text_filters(env: JekyllLiquid, template: str, expected: str) -> None:
    assert render(env, template) == expected


def test_markdownify_without_converter_is_an_error(tmp_path: Path) -> None:
    env = create_liquid_environment(make_ctx(tmp_path, markdownify=None))
    assert error(env, "{{ 'x' | markdownify }}") == (
        "content/lectures/a.md:10: markdownify: no Markdown converter in this build"
    )


# --- array filters --------------------------------------------------------------------------

POSTS = [
    {"title": "B", "year": 2024, "tags": ["x"], "author": {"name": "Ann"}},
    {"title": "A", "year": 2025, "tags": ["x", "y"], "author": {"name": "Bob"}},
    {"title": "C", "tags": []},
]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% assign r = site.posts | where: 'year', '2025' %}{{ r | map: 'title' | join }}", "A"),
        ("{% assign r = site.posts | where: 'tags', 'x' %}{{ r | map: 'title' | join }}", "B A"),
        ("{% assign r = site.posts | where: 'author.name', 'Ann' %}{{ r[0].title }}", "B"),
        ("{% assign r = site.posts | where: 'year' %}{{ r | map: 'title' | join }}", "B A"),
        ("{% assign r = site.posts | where_exp: 'p', 'p.year > 2024' %}{{ r[0].title }}", "A"),
        ("{% assign r = site.posts | where_exp: 'p', \"p.tags contains 'y'\" %}{{ r.size }}",
         "1"),
        ("{% assign r = site.posts | sort: 'year' %}{{ r | map: 'title' | join }}", "C B A"),
        ("{% assign r = site.posts | sort: 'year', 'last' %}{{ r | map: 'title' | join }}",
         "B A C"),
        ("{% assign r = site.posts | sort: 'title' %}{{ r | map: 'title' | join }}", "A B C"),
        (("{% assign g = site.posts | group_by: 'year' %}"
         "{% for x in g %}{{ x.name }}={{ x.size }};{% endfor %}"), "2024=1;2025=1;=1;"),
    ],
)
def test_array_filters(tmp_path: Path, template: str, expected: str) -> None:
    ctx = make_ctx(tmp_path, site={"time": SITE_TIME, "posts": POSTS})
    assert render(create_liquid_environment(ctx), template) == expected


def test_sort_of_mixed_types_is_an_error(env: JekyllLiquid) -> None:
    page = {"mixed": [1, "a"]}
    with pytest.raises(ContentError, match=r"a\.md:10: sort: cannot compare values"):
        render(env, "{{ page.mixed | sort }}", page)


# --- raw and highlight ----------------------------------------------------------------------


def test_raw_keeps_liquid_verbatim(env: JekyllLiquid) -> None:
    text = "{% raw %}{{ page.title }} {% if x %}{% endraw %} {{ page.title }}"
    assert render(env, text) == "{{ page.title }} {% if x %} LLM"


def test_highlight_becomes_a_fenced_block_with_verbatim_code(env: JekyllLiquid) -> None:
    code = "def f(x):\n    return {'a': [1, 2]}  # <b>*not* markdown</b>\n\n\n    pass"
    text = f"Before\n{{% highlight python linenos %}}\n{code}\n{{% endhighlight %}}\nAfter"
    assert render(env, text) == f"Before\n```python\n{code}\n```\nAfter"


def test_highlight_body_follows_jekyll_raw_inside_is_literal(env: JekyllLiquid) -> None:
    # Jekyll renders Liquid inside highlight; literal Liquid is written with raw.
    text = "{% highlight liquid %}\n{% raw %}{{ page.title }}{% endraw %} {{ page.title }}\n" \
           "{% endhighlight %}"
    assert render(env, text) == "```liquid\n{{ page.title }} LLM\n```"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("a {% highlight py %}x{% endhighlight %} b", "a \n```py\nx\n```\n b"),
        ("{% highlight py %}x{% endhighlight %}", "```py\nx\n```"),
        ("{%- highlight py -%}\nx\n{%- endhighlight -%}\nafter", "```py\nx\n```\nafter"),
    ],
)
def test_highlight_fences_stay_on_their_own_lines(env: JekyllLiquid, template: str,
                                                  expected: str) -> None:
    assert render(env, template) == expected


def test_highlight_fence_outgrows_backticks_in_code(env: JekyllLiquid) -> None:
    text = "{% highlight markdown %}\n```py\nx\n```\n{% endhighlight %}"
    assert render(env, text) == "````markdown\n```py\nx\n```\n````"


def test_highlight_without_language_is_an_error(env: JekyllLiquid) -> None:
    assert error(env, "a\n{% highlight %}\nx\n{% endhighlight %}") == (
        "content/lectures/a.md:11: highlight tag needs a language "
        "(use {% highlight python %} ... {% endhighlight %})"
    )


# --- include ----------------------------------------------------------------------------------


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_include_with_jekyll_parameters(tmp_path: Path) -> None:
    write(tmp_path / "site_includes/note.html",
          "<aside class='{{ include.kind }}'>{{ include.text }} ({{ include.who }}, "
          "{{ include.n }}, {{ page.title }})</aside>")
    env = create_liquid_environment(make_ctx(tmp_path))
    text = """{% include note.html kind='warn' text="Say \\"hi\\"" who=page.title n=3 %}"""
    assert render(env, text) == "<aside class='warn'>Say \"hi\" (LLM, 3, LLM)</aside>"
    # Unquoted values are variable lookups, as in Jekyll: an unknown name is empty.
    assert render(env, "{% include note.html kind=warn %}").startswith("<aside class=''>")


def test_include_search_order_and_subdirectories(tmp_path: Path) -> None:
    write(tmp_path / "site_includes/a.html", "site")
    write(tmp_path / "theme_includes/a.html", "theme")
    write(tmp_path / "theme_includes/sub/b.html", "theme-b{% include a.html %}")
    env = create_liquid_environment(make_ctx(tmp_path))
    assert render(env, "{% include a.html %}|{% include sub/b.html %}") == "site|theme-bsite"


def test_include_name_from_variable(tmp_path: Path) -> None:
    write(tmp_path / "theme_includes/box-LLM.html", "box")
    env = create_liquid_environment(make_ctx(tmp_path))
    assert render(env, "{% include box-{{ page.title }}.html %}") == "box"


def test_include_params_do_not_leak(tmp_path: Path) -> None:
    write(tmp_path / "site_includes/p.html", "[{{ include.v }}]")
    env = create_liquid_environment(make_ctx(tmp_path))
    assert render(env, "{% include p.html v='1' %}{{ include.v }}{% include p.html %}") == "[1][]"


@pytest.mark.parametrize(
    ("files", "template", "expected"),
    [
        ({}, "a\n\n{% include missing.html %}",
         "content/lectures/a.md:12: include 'missing.html' not found"),
        ({}, "{% include ../secret.html %}",
         "content/lectures/a.md:10: invalid include file name '../secret.html'"),
        ({}, "{% include a.html key %}",
         "content/lectures/a.md:10: invalid include parameters 'key'"),
        ({"bad.html": "ok\n{% foo %}"}, "x\n{% include bad.html %}",
         "content/lectures/a.md:11: in include 'bad.html' line 2: unknown tag 'foo'"),
        ({"outer.html": "\n\n{% include inner.html %}", "inner.html": "{{ 1 | nofilter }}"},
         "{% include outer.html %}",
         ("content/lectures/a.md:10: in include 'outer.html' line 3: in include 'inner.html' "
         "line 1: unknown filter 'nofilter'")),
        ({"self.html": "{% include self.html %}"}, "a\n{% include self.html %}",
         ("content/lectures/a.md:11: include 'self.html' is nested too deeply "
         "(does it include itself?)")),
    ],
)
def test_include_errors(tmp_path: Path, files: dict[str, str], template: str,
                        expected: str) -> None:
    for name, text in files.items():
        write(tmp_path / "site_includes" / name, text)
    env = create_liquid_environment(make_ctx(tmp_path))
    message = error(env, template)
    assert expected in message
    assert "Traceback" not in message


# --- errors: located at file lines ------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Body line 3 with line_offset 10 -> file line 12.
        ("one\ntwo\n{{ page.title | }}", "content/lectures/a.md:12: "),
        ("one\ntwo\n{% foo bar %}", "content/lectures/a.md:12: unknown tag 'foo'"),
        ("one\ntwo\n{% include_relative x.md %}",
         ("content/lectures/a.md:12: unknown tag 'include_relative' "
         "(include_relative is not supported; move the file to _includes)")),
        ("one\n{% if page.title %}\nthree\nfour",
         ("content/lectures/a.md:11: unexpected end of input, expected endif "
         "('if' is never closed)")),
        ("{% for t in page.tags %}{% if t %}\n{% endif %}",
         ("content/lectures/a.md:10: unexpected end of input, expected endfor "
         "('for' is never closed)")),
        ("one\ntwo\n{% raw %} never closed",
         "content/lectures/a.md:12: unexpected end of input, expected endraw"),
        ("one\n{% endif %}", "content/lectures/a.md:11: unexpected tag 'endif'"),
        ("one\ntwo\n{{ page.title", "content/lectures/a.md:12: expected '}}', found end of file"),
        ("x\n{{ page.title | nofilter }}", "content/lectures/a.md:11: unknown filter 'nofilter'"),
        ("one\n{% case page.title %}{% when 'x' %}\n", ("content/lectures/a.md:11: unexpected "
         "end of input, expected endcase ('case' is never closed)")),
        ("{% if x %}{% endif %}\n{% if y %}\n{% for t in page.tags %}{% endfor %}",
         "content/lectures/a.md:11: unexpected end of input, expected endif"),
        ("one\n{% post_url {{ page.title | nofilter }} %}",
         "content/lectures/a.md:11: in post_url argument: unknown filter 'nofilter'"),
        ("{% highlight py %}\nx\n", ("content/lectures/a.md:10: unexpected end of input, "
         "expected endhighlight ('highlight' is never closed)")),
    ],
)
def test_errors_are_located_in_the_file(env: JekyllLiquid, template: str, expected: str) -> None:
    assert error(env, template).startswith(expected)


def test_error_diagnostic_fields(env: JekyllLiquid) -> None:
    with pytest.raises(ContentError) as info:
        render(env, "a\nb\n{% nosuch %}")
    diagnostic = info.value.diagnostic
    assert (diagnostic.path, diagnostic.line, diagnostic.message) == (
        "content/lectures/a.md", 12, "unknown tag 'nosuch'")


def test_environment_is_reusable_after_an_error(env: JekyllLiquid) -> None:
    with pytest.raises(ContentError):
        render(env, "{% if %}")
    assert render(env, "{{ page.title }}") == "LLM"
