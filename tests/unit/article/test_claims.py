"""The output-comment rule of `mdverify.article.claims`, at its edges."""

import pytest

from mdverify.article.claims import CommentClaimError, comment_claims, prompt_claims
from mdverify.article.syntax import read_block


def claims(source: str, first_line: int = 1):
    found = comment_claims(read_block(source, first_line))
    return [(c.kind, c.expected, c.line, c.upto_line) for c in found]


def test_comment_run_under_statement_and_before_end_is_output():
    assert claims("asyncio.run(main())\n# Fetching data...\n# {'data': 42}\n") == [
        ("comment", "Fetching data...\n{'data': 42}", 2, 1)
    ]


def test_comment_run_under_statement_and_before_blank_line_is_output():
    assert claims("print(1)\n# 1\n\nx = 2\n") == [("comment", "1", 2, 1)]


def test_comment_with_blank_line_above_is_prose():
    assert claims("x = 1\n\n# Run the coroutine\nprint(x)\n") == []


def test_comment_with_code_directly_below_is_prose():
    assert claims("x = 1\n# now print it\nprint(x)\n") == []


def test_comment_under_def_or_import_is_prose():
    assert claims("import asyncio\n# a comment\n") == []
    assert claims("def f():\n    return 1\n# a comment\n") == []


def test_indented_comment_is_prose():
    assert claims("for i in range(2):\n    print(i)\n    # 0\n") == []


def test_comment_only_block_declares_nothing():
    assert claims("# Good async candidates:\n# - Network requests\n") == []


def test_output_heading_line_is_dropped():
    assert claims("print(5)\n# Output:\n# 5\n") == [("comment", "5", 3, 1)]


def test_output_prefix_on_the_same_line_is_dropped():
    assert claims("print(5)\n# Output: 5\n") == [("comment", "5", 2, 1)]


def test_trailing_comment_on_top_level_print_is_output():
    assert claims("coro = f()\nprint(coro)  # <coroutine object f at 0x...>\n") == [
        ("trailing", "<coroutine object f at 0x...>", 2, 2)
    ]


def test_trailing_arrow_marker_is_dropped():
    assert claims("print(2 + 2)  # -> 4\n") == [("trailing", "4", 1, 1)]


def test_trailing_comment_on_other_statement_is_prose():
    assert claims("x = 5  # five\n") == []


def test_trailing_comment_on_multiline_print_is_prose():
    assert claims("print(\n    1,\n)  # 1\n") == []


def test_arrow_lines_are_output_even_before_code():
    assert claims("print(1)\n#> 1\nprint(2)\n#> 2\n") == [
        ("arrow", "1", 2, 1),
        ("arrow", "2", 4, 3),
    ]


def test_arrow_lines_keep_indentation_after_the_marker():
    assert claims("print('  x')\n#>   x\n") == [("arrow", "  x", 2, 1)]


def calls(source: str, first_line: int = 1):
    found = comment_claims(read_block(source, first_line))
    return [(c.kind, c.expected, c.line, c.call) for c in found]


def test_indented_arrow_lines_declare_the_print_call_above():
    assert calls("def f():\n    print(1)\n    #> 1\n    #> 2\n", 10) == [
        ("arrow", "1\n2", 12, (11, 4))
    ]


def test_indented_arrow_lines_not_under_a_print_are_an_error():
    with pytest.raises(CommentClaimError) as err:
        comment_claims(read_block("def f():\n    x = 1\n    #> 1\n", 10))
    assert err.value.line == 12
    assert "print call" in str(err.value)


def test_trailing_comment_on_a_nested_print_declares_that_call():
    source = "def f():\n    for i in range(3):\n        print(i)  # 0 1 2\nf()\n"
    assert calls(source) == [("trailing", "0 1 2", 3, (3, 8))]


def test_trailing_comment_claims_only_the_last_print_on_its_line():
    assert calls("print(a); print(b)  # 7\n") == [("trailing", "7", 1, (1, 10))]


def test_trailing_comment_after_other_code_is_not_the_print_s():
    assert calls("print(a); x = f()  # 7\n") == []


def test_trailing_comment_on_a_print_to_a_file_is_prose():
    assert calls("import sys\nprint(1, file=sys.stderr)  # 1\n") == []


def test_extra_spaces_after_the_hash_are_not_output():
    assert calls("print(7)  #   7\n") == [("trailing", "7", 1, (1, 0))]


def test_prose_above_an_output_line_in_a_run_is_dropped():
    source = "greet()\n# The call greets.\n# Output: Hi there\n"
    assert claims(source) == [("comment", "Hi there", 3, 1)]


def test_lines_are_article_lines():
    assert claims("print(1)\n# 1\n", first_line=40) == [("comment", "1", 41, 40)]


def test_block_with_syntax_error_declares_nothing():
    assert claims("print(1\n# 1\n") == []


def test_claims_are_in_statement_order():
    source = "print(1)  # 1\nprint(2)\n# 2\n"
    assert [c[3] for c in claims(source)] == [1, 2]


def test_comment_inside_a_multiline_statement_is_not_a_claim():
    assert claims("x = [\n# not output\n    1,\n]\n") == []


def test_timing_comment_under_a_statement_is_not_declared_output():
    # The defect of issue 11: `# takes ~1s` on its own line was also read as output.
    assert claims("import asyncio\nasyncio.run(asyncio.sleep(1))\n# takes ~1s\n") == []


def test_timing_comment_beside_an_output_run_leaves_the_output():
    below = "print('done')\n# done\n# (takes ~1s)\n"
    above = "print('done')\n# (takes ~1s)\n# done\n"
    assert claims(below) == [("comment", "done", 2, 1)]
    assert claims(above) == [("comment", "done", 3, 1)]


def test_explicit_output_forms_stay_output_when_they_read_like_timing():
    # Trailing a one-line print, or after `#>`, a comment is output by its form.
    assert claims('print("took 3.0s")  # took 3.0s\n') == [("trailing", "took 3.0s", 1, 1)]
    assert claims('print("about 2s")\n#> about 2s\n') == [("arrow", "about 2s", 2, 1)]


def test_each_prompt_claims_the_lines_after_it_up_to_the_next():
    found = prompt_claims(">>> print(1)\n1\n>>> x = 2\n>>> print(\n...   x)\n2\n", 10)
    assert [(c.expected, c.line, c.upto_line, c.end_line) for c in found] == [
        ("1", 11, 10, 11),
        ("", 13, 12, 12),
        ("2", 15, 14, 15),
    ]


def test_bare_expression_whose_comment_starts_with_a_literal_shows_its_value():
    assert claims("word = 'abc'\nlen(word)  # 3, one per letter\n") == [
        ("value", "3, one per letter", 2, None)
    ]


@pytest.mark.parametrize(
    "source",
    [
        "items.pop()  # the last item\n",
        "'text'  # 1\n",
        "print(1)  # 1\n",
        "f(\n    1)  # 1\n",
        "def f():\n    len('a')  # 1\n",
    ],
)
def test_other_expressions_with_comments_show_no_value(source):
    assert [c for c in claims(source) if c[0] == "value"] == []


def test_a_string_right_under_a_print_declares_that_call_without_its_indentation():
    source = 'def f():\n    print("a\\n  b")\n    """\n    a\n      b\n    """\nf()\n'
    assert calls(source) == [("string", "a\n  b", 3, (2, 4))]


def test_a_string_after_a_blank_line_or_under_other_code_is_not_output():
    assert calls('print(1)\n\n"""\n1\n"""\n') == []
    assert calls('x = 1\n"""\n1\n"""\n') == []
