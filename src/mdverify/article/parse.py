"""Markdown bytes -> `Article`: the examples, where they stand, and what they claim.

Line numbers come from markdown-it's token maps over the whole file (front matter included),
so they are the lines an editor shows. Every problem is an `ArticleError` naming the line.

Each Python block is read once (`mdverify.article.syntax`), for its declared output, timing
claims, coroutine warnings and statement ends. Settings: the front matter's, a directive's.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from mdverify.article.across import across_blocks, decided
from mdverify.article.cells import display_line
from mdverify.article.claims import CommentClaimError, comment_claims, prompt_claims
from mdverify.article.comments import DIRECTIVE_HINT, html_directive
from mdverify.article.console import console_block
from mdverify.article.directives import norun_conflict
from mdverify.article.exercises import exercises
from mdverify.article.fences import (
    OUTPUT_WORDS,
    PYTHON_LANGS,
    declared_output,
    indented_output,
    introduces_output,
    language,
    names_output,
    plain_text,
)
from mdverify.article.files import as_files, paired, pairs, written_to
from mdverify.article.front_matter import front_matter
from mdverify.article.hidden import UNTITLED, hidden_tokens, named, setup_example
from mdverify.article.markdown import (
    check_closed,
    decode,
    is_container,
    markdown_parser,
    token_lines,
)
from mdverify.article.notcode import is_session, labelled_template, not_runnable
from mdverify.article.pasted import mark, reread
from mdverify.article.raises import declare_raises
from mdverify.article.sessions import conflict
from mdverify.article.shell import exports
from mdverify.article.snippets import Snippets, expand_fences, expanded
from mdverify.article.syntax import BlockSyntax, read_block
from mdverify.article.timing import timing_claims
from mdverify.article.walks import walk_outputs
from mdverify.model import (
    Article,
    ArticleError,
    ArticleSettings,
    Example,
    ExampleKind,
    OutputClaim,
    TimingClaim,
)

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from markdown_it.token import Token

    from mdverify.article.directives import BlockDirective

__all__ = ["decode", "parse_article", "parse_text"]

PYCON_LANGS = frozenset({"pycon"})

_HIDDEN = "mdverify_hidden"
"""The key of a hidden comment's token `meta` that holds the tokens of its fences."""
# Tokens that may stand between a code block and its output fence (`mdverify.article.fences`
# has the rule): prose, a heading that names output, the containers both sit in.
_PROSE = frozenset({"paragraph_open", "paragraph_close", "inline"})
_MAX_PROSE_BETWEEN = 1
_BLOCKS_BETWEEN_DIRECTIVE_AND_CODE = frozenset(
    {"paragraph_open", "heading_open", "table_open", "hr", "code_block", "html_block"}
)


def parse_article(
    path: str, data: bytes, *, output_words: Collection[str] = OUTPUT_WORDS
) -> Article:
    """Parse an article's bytes; `path` is how reports name the file.

    `output_words` are the words that make a heading or a fence title say "output"
    (the `mdverify_output_words` setting).
    """
    return parse_text(path, decode(path, data), output_words=output_words)


def parse_text(
    path: str,
    text: str,
    *,
    output_words: Collection[str] = OUTPUT_WORDS,
    setup: str = "",
    snippets: Snippets | None = None,
) -> Article:
    """Parse an article's decoded text (`output_words` as for `parse_article`).

    `setup` is the code of the front matter's setup file, which the caller reads; without
    it the file's block stands first all the same, empty, so that the blocks' indexes are
    those of the run (update mode parses again without the file). `snippets`: where the
    `--8<--` includes of Python fences are looked up; None reads each as a `pass`.
    """
    # markdown-it counts a lone CR as a line end: our line list must agree with its maps.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        tokens = markdown_parser().parse(text)
    except Exception as err:  # noqa: BLE001 -- a markdown-it bug must not become our traceback
        raise ArticleError(path, None, f"markdown-it could not parse the file: {err}") from None
    expand_fences(path, tokens, snippets, PYTHON_LANGS)
    for token in tokens:
        inner = hidden_tokens(path, token) if token.type == "html_block" else None
        if inner is not None:  # hidden code includes files as the visible code does
            expand_fences(path, inner, snippets, PYTHON_LANGS)
            token.meta = {**(token.meta or {}), _HIDDEN: inner}
    lines = text.split("\n")
    settings = ArticleSettings()
    if tokens and tokens[0].type == "front_matter":
        settings = front_matter(path, tokens[0].content, token_lines(tokens[0]), lines)
    elif lines[0] == "---" and len(lines) > 1 and re.match(r"[\w-]+\s*:", lines[1]):
        # markdown-it reads an unclosed front matter as a rule and a paragraph: unread.
        raise ArticleError(path, 1, "front matter starting here is never closed by '---'")
    read = as_files(
        walk_outputs(tokens, _examples(path, tokens, lines, settings, output_words), output_words)
    )
    if settings.setup is not None:
        read = [setup_example(settings.setup, setup, settings)] + [
            (replace(e, index=e.index + 1), syntax) for e, syntax in read
        ]
    examples = named([declare_raises(e, syntax) for e, syntax in read])
    syntaxes = [syntax for _, syntax in read]
    examples = exercises(tokens, examples)
    examples, settings = across_blocks(examples, syntaxes, settings)
    return Article(path=path, examples=tuple(examples), settings=settings)


def _examples(  # noqa: C901, PLR0912, PLR0915 -- one pass over the token stream
    path: str,
    tokens: Sequence[Token],
    lines: Sequence[str],
    article: ArticleSettings,
    words: Collection[str],
    *,
    hidden: bool = False,
) -> list[tuple[Example, BlockSyntax | None]]:
    """The examples in order, each with its reading when it is a Python block.

    `hidden`: the tokens are those inside a hidden comment (`mdverify.article.hidden`).
    """
    found: list[tuple[Example, BlockSyntax | None]] = []
    heading: str | None = None
    pending: tuple[int, BlockDirective] | None = None  # a directive waiting for its block
    pairable = False  # the last example may still receive an output fence
    prose_since = 0
    output_heading = False  # inside a heading that introduces the output fence
    introduced: str | None = None  # that heading's text, for reports
    introduction = False  # the one paragraph since the block introduces output
    depth = block_depth = 0  # containers open now, and around the last block
    left = False  # the container around the last block has closed since
    exported: tuple[tuple[str, str], ...] = ()  # by shell fences since the last block
    held: str | None = None  # the tag of a heading that paused the pairing ("h3")
    taken: frozenset[str] = frozenset()  # the streams the last block's fences declare
    for pos, token in enumerate(tokens):
        kind = token.type
        if kind == "inline" and pos and tokens[pos - 1].type == "heading_open":
            heading = plain_text(token.content)
        depth += token.nesting if is_container(kind) else 0
        left = left or depth < block_depth
        resumed = held is not None and token.tag == held  # "### Explanation", "### Output"
        if (
            kind == "heading_open"
            and (pairable or resumed)
            and depth == block_depth
            and pos + 1 < len(tokens)
        ):
            # Only in the block's own container: a heading after a list of fragments is
            # the output of the whole section, not of its last fragment.
            output_heading = names_output(tokens[pos + 1].content, words)
            if output_heading:
                # The introduction: the explanation above it does not count as prose.
                introduced, prose_since = plain_text(tokens[pos + 1].content), 0
                introduction, pairable, held = False, True, None
            else:
                # An explanation under a heading of its own may come before the output's.
                held = token.tag
        elif kind == "heading_open" and held is not None and token.tag < held:
            held = None  # a new section
        if output_heading:
            output_heading = kind != "heading_close"
            continue
        if (
            kind == "inline"
            and DIRECTIVE_HINT.search(token.content)
            and any(
                child.type == "html_inline" and DIRECTIVE_HINT.search(child.content)
                for child in token.children or ()
            )
        ):
            raise ArticleError(
                path, token_lines(token)[0] + 1, "an mdverify directive must stand on its own line"
            )
        inner = (token.meta or {}).get(_HIDDEN) if kind == "html_block" else None
        if inner is not None:
            if pending is not None:
                raise ArticleError(path, pending[0], "a directive cannot apply to hidden code")
            for example, syntax in _examples(path, inner, lines, article, words, hidden=True):
                moved = replace(example, index=len(found), environ=exported + example.environ)
                found.append((moved, syntax))
                exported = ()
            pairable = False  # a fence after the comment is no output of the block above
            continue
        if kind == "html_block":
            at = token_lines(token)[0] + 1
            found_here = html_directive(path, token.content, at)
            directive = None if found_here is None else (at, found_here)
            if directive is not None:
                if pending is not None:
                    raise ArticleError(path, pending[0], "two directive comments for one block")
                pending = directive
                continue
        if kind == "fence":
            check_closed(path, token, lines)
            lang = language(token.info)
            line = token_lines(token)[0] + 1
            python = lang in PYTHON_LANGS
            # Out of the block's list item (or tab, or quote), a fence is the block's output
            # only under words that say so: the next item may hold the next step's code.
            pairing = pairable and prose_since <= _MAX_PROSE_BETWEEN and (not left or introduction)
            # A Python fence titled "Output" is output, paired or not: never run as code.
            declared = (
                declared_output(
                    lang,
                    token.info,
                    token.content.removesuffix("\n"),
                    words,
                    python=python,
                    introduced=prose_since == 0 or introduced is not None or introduction,
                )
                if pairing or python
                else None
            )
            if (python and declared is None) or lang in PYCON_LANGS:
                read = _example(
                    path, len(found), token, lang, heading, article, pending, words, hidden=hidden
                )
                pending = None
                found.append((replace(read[0], environ=exported), read[1]))
                exported = ()
                pairable, taken = found[-1][0].kind == "python", frozenset()
                prose_since, introduced, block_depth, left = 0, None, depth, False
                introduction, held = False, None
                continue
            joins = declared is not None and pairing and declared.stream not in taken
            joins = joins and pairs(found[-1][0], declared)  # type: ignore[arg-type]
            name = _name(heading)
            ex = None if joins else console_block(len(found), token, found, article, pending, name)
            if ex is not None:
                found.append((replace(ex, environ=exported), None))
                pending, exported, pairable = None, exports(lang, token.content), False
                continue
            if pending is not None:
                what = "an output fence" if python else f"a '{lang}' block"
                raise ArticleError(path, pending[0], f"directive is followed by {what}, not Python")
            if joins and declared is not None:
                closing = token_lines(token)[1]  # 0-based exclusive end: the closing fence, 1-based
                claim = OutputClaim(
                    declared.kind,
                    declared.text,
                    line + 1 + declared.first,
                    end_line=closing - 1,
                    form=f'{declared.form} under the heading "{introduced}"'
                    if introduced
                    else declared.form,
                    stream=declared.stream,
                )
                found[-1] = (paired(found[-1][0], claim), found[-1][1])
                # A stderr fence may follow the stdout one; nothing follows a stderr fence.
                taken |= {declared.stream}
                if declared.stream == "stdout":
                    prose_since, introduced, held = 0, None, None
                    continue
            else:
                exported += exports(lang, token.content)
            pairable, held = False, None
        elif kind == "code_block" and pairable and prose_since <= _MAX_PROSE_BETWEEN and not left:
            indented = indented_output(token.content.removesuffix("\n"), token_lines(token)[0] + 1)
            if indented is not None:
                last, syntax = found[-1]
                found[-1] = (replace(last, outputs=(*last.outputs, indented)), syntax)
            pairable, held = False, None
        elif kind == "paragraph_open":
            prose_since += 1
            # `depth` counts this paragraph itself: the one around it must hold the block.
            introduction = depth - 1 >= block_depth and introduces_output(
                tokens[pos + 1].content, words
            )
            if introduction:
                prose_since = 1  # "**Expected output:**" after an explanation of the code
        elif kind not in _PROSE and not is_container(kind):
            pairable = False  # a heading, table, rule or other block ends the pairing
            held = held if kind in ("heading_open", "heading_close") else None
        if pending is not None and kind in _BLOCKS_BETWEEN_DIRECTIVE_AND_CODE:
            raise ArticleError(path, pending[0], "a directive must be followed by its Python block")
    if pending is not None:
        raise ArticleError(path, pending[0], "directive at the end of the file has no block")
    return found


def _name(heading: str | None) -> str:
    # No line in the name: prose added above the block must not rename it (hidden.named
    # numbers the blocks a heading holds, and the report still says the line).
    return (heading or UNTITLED).replace("::", ":")


def _example(
    path: str,
    index: int,
    token: Token,
    lang: str,
    heading: str | None,
    article: ArticleSettings,
    pending: tuple[int, BlockDirective] | None,
    words: Collection[str],
    *,
    hidden: bool,
) -> tuple[Example, BlockSyntax | None]:
    at, directive = pending if pending is not None else (0, None)
    source = token.content
    line = token_lines(token)[0] + 1
    code_line = line + 1
    writes = written_to(path, line, token.info) if lang in PYTHON_LANGS else None
    session = lang in PYCON_LANGS or (writes is None and is_session(source))
    kind: ExampleKind = "pycon" if session else "python"
    origins, foreign, included = expanded(token)
    syntax = read_block(source, code_line, origins, foreign) if kind == "python" else None
    # Output pasted under `# output` in the fence: the code runs, the lines are output.
    source, syntax, pasted = reread(
        source,
        syntax,
        words,
        writes is None and not foreign,
        lambda text: read_block(text, code_line, origins, foreign),
    )
    try:
        outputs = prompt_claims(source, code_line) if syntax is None else comment_claims(syntax)
    except CommentClaimError as err:
        raise ArticleError(path, err.line, str(err)) from None
    except ValueError as err:  # doctest's parser on a malformed prompt
        raise ArticleError(path, code_line, f"cannot read the pycon block: {err}") from None
    outputs = mark(outputs, pasted)
    if syntax is None:
        timings: tuple[TimingClaim, ...] = ()
        ends = tuple(claim.upto_line or claim.line for claim in outputs)
    else:
        # A comment on a declared output's lines is output, never also a timing claim.
        said = {n for c in outputs for n in range(c.line, (c.end_line or c.line) + 1)}
        timings = timing_claims(syntax, said)
        ends = syntax.ends()
    settings, world = article.defaults, article.world
    if directive is not None:
        settings = settings.merged(directive.settings)
        world = world.merged(directive.world)
        if settings.norun and directive.runs:
            raise ArticleError(path, at, norun_conflict(directive.runs[0]))
        if (clash := conflict(settings, directive.settings, file=writes is not None)) is not None:
            raise ArticleError(path, at, clash)
        if directive.timing is not None:
            timings = (directive.timing, *timings)
    template = syntax is not None and (
        syntax.tree is None or labelled_template(source, syntax.tree, bool(outputs))
    )
    if template and not decided(settings, directive) and not hidden and writes is None:
        # A writer who said how the block runs is obeyed; otherwise no program, no run.
        settings = replace(settings, skip=not_runnable(source, code_line, words))
    example = Example(
        index=index,
        kind=kind,
        source=source,
        line=line,
        code_line=code_line,
        name=_name(heading),
        settings=settings,
        world=world,
        outputs=outputs,
        timings=timings,
        ends=ends,
        raises=() if directive is None or directive.raises is None else (directive.raises,),
        display=None if syntax is None else display_line(syntax),
        hidden=hidden,
        writes=writes,
        origins=origins,
        included=included,
    )
    return example, syntax
