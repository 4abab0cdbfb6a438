"""GitHub Actions workflow commands in `mdverify.check.annotations`."""

from mdverify.check.annotations import error_annotation, escape_data, escape_property


def test_message_escapes_percent_and_newlines():
    assert escape_data("100%\r\ndone\n") == "100%25%0D%0Adone%0A"


def test_property_also_escapes_colon_and_comma():
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_error_annotation_has_file_line_title_and_message():
    line = error_annotation("content/x.md", 42, "output differs: a, b", "-old\n+new")
    assert line == "::error file=content/x.md,line=42,title=output differs%3A a%2C b::-old%0A+new"


def test_error_annotation_without_a_line_names_only_the_file():
    assert error_annotation("x.md", None, "t", "m") == "::error file=x.md,title=t::m"


def test_long_message_is_cut_and_says_so():
    line = error_annotation("x.md", 1, "t", "x" * 10_000)
    assert len(line) < 5000
    assert line.endswith("%0A[... see the log for the rest]")
