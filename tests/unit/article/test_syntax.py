"""One reading of a block (`mdverify.article.syntax`): tree, comments and statement ends."""

from mdverify.article.syntax import Comment, read_block


def test_comments_know_their_line_column_and_whether_code_shares_the_line():
    block = read_block("x = 1  # one\n    # two\ny = [\n# three\n]\n", 1)
    assert block.comments == (
        Comment(1, 7, "# one", full_line=False),
        Comment(2, 4, "# two", full_line=True),
        Comment(4, 0, "# three", full_line=True),
    )


def test_statement_ends_are_article_lines():
    block = read_block("x = 1\nif x:\n    y = 2\n\nz = (\n    3)\n", 40)
    assert block.ends() == (40, 42, 45)
    assert block.article_line(3) == 42


def test_a_block_that_does_not_parse_keeps_its_comments():
    block = read_block("x = = 1  # takes ~1s\n", 1)
    assert block.tree is None
    assert block.ends() == ()
    assert [c.text for c in block.comments] == ["# takes ~1s"]


def test_a_block_that_does_not_tokenize_has_neither():
    block = read_block('x = """\n# not a comment\n', 1)
    assert (block.tree, block.comments) == (None, ())


def test_a_block_without_a_hash_is_not_tokenized():
    assert read_block("print(1)\n", 1).comments == ()
