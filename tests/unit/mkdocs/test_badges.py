import textwrap

from mdverify.article.parse import parse_text
from mdverify.mkdocs.badges import badge, with_badges
from mdverify.mkdocs.verify import Block

ARTICLE = textwrap.dedent("""\
    ---
    title: Demo
    ---
    # Demo

    ```python
    print(1)
    ```

    Output:

    ```
    1
    ```

    !!! note

        ```python
        print(2)
        ```

    > ```python
    > print(3)
    > ```
    Text right after.
    """)


def _blocks(text, outcome="passed", reason=""):
    article = parse_text("docs/demo.md", text)
    return [Block(e, outcome, f"docs/demo.md:{e.line}", reason) for e in article.examples]


def _markdown(text):
    """The page as MkDocs hands it to a plugin: without its front matter."""
    return text.split("---\n", 2)[2].lstrip("\n")


def test_a_marker_follows_the_declared_output_not_the_code():
    marked = with_badges(_markdown(ARTICLE), ARTICLE, _blocks(ARTICLE)).split("\n")
    first = next(i for i, line in enumerate(marked) if "mdverify-passed" in line)
    assert marked[first - 3 : first] == ["1", "```", ""]


def test_a_marker_keeps_the_container_it_follows():
    marked = with_badges(_markdown(ARTICLE), ARTICLE, _blocks(ARTICLE)).split("\n")
    badges = [line for line in marked if "mdverify-passed" in line]
    assert [line[: len(line) - len(line.lstrip(" >"))] for line in badges] == ["", "    ", "> "]
    # A blank line of the blockquote's own ends the marker's paragraph before the text.
    after = marked.index(badges[2])
    assert marked[after + 1 : after + 3] == [">", "Text right after."]


def test_markdown_another_plugin_changed_gets_no_markers():
    assert with_badges("# Changed\n", ARTICLE, _blocks(ARTICLE)) is None


def test_the_reason_is_text_never_markup():
    block = _blocks(ARTICLE, "failed", 'printed <script>alert("x")</script>')[0]
    html = badge(block)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith('<span class="mdverify mdverify-failed" title="docs/demo.md:6">')


def test_a_hidden_block_has_no_marker_on_the_page():
    text = "<!-- mdverify: hidden\n```python\nx = 1\n```\n-->\n\n```python\nprint(x)\n```\n"
    marked = with_badges(text, text, _blocks(text))
    assert marked.count("mdverify-passed") == 1
    assert marked.index("mdverify-passed") > marked.index("print(x)")
