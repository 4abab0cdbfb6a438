"""GitHub Actions workflow commands in `mdverify.check.annotations`."""

from mdverify.check.annotations import (
    error_annotation,
    escape_data,
    escape_property,
    stop_commands,
)


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


def test_stop_commands_wraps_all_but_the_first_line_in_a_stop_with_its_token():
    text = "x.md:3: output differs\n+::add-mask::secret\n+##[error]v1"
    assert stop_commands(text, "t0k") == (
        "x.md:3: output differs\n::stop-commands::t0k\n+::add-mask::secret\n+##[error]v1\n::t0k::"
    )


def test_stop_commands_moves_a_first_line_that_is_a_command_under_the_stop():
    shown = stop_commands("  ::error::x\nmore", "t").splitlines()
    assert shown[1:] == ["::stop-commands::t", "  ::error::x", "more", "::t::"]
    assert not shown[0].lstrip().startswith("::")
    assert stop_commands("##[group]x", "t").splitlines()[1:] == [
        "::stop-commands::t",
        "##[group]x",
        "::t::",
    ]


def test_stop_commands_leaves_a_one_line_report_that_is_no_command_as_it_is():
    assert stop_commands("x.md:3: timeout", "t") == "x.md:3: timeout"
