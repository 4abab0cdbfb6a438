from mdverify.check.jobsummary import Failure, blob_link, cell, job_summary

GITHUB = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "owner/docs",
    "GITHUB_SHA": "0123abc",
}


def test_each_failure_links_to_its_file_and_line_in_the_commit():
    text = job_summary(
        ["mdverify: 1 block passed, 1 failed"],
        [Failure("docs/a b.md", 12, "output differs from what the block printed")],
        blob_link(GITHUB),
    )
    row = text.rstrip().splitlines()[-1]
    url = "https://github.com/owner/docs/blob/0123abc/docs/a%20b.md#L12"
    assert row == f"| [docs/a b\\.md\\:12](<{url}>) | output differs from what the block printed |"


def test_off_github_a_place_is_plain_text():
    assert blob_link({"GITHUB_SERVER_URL": "https://github.com"}) is None
    text = job_summary([], [Failure("docs/a.md", None, "cannot be read")], None)
    assert text.rstrip().splitlines()[-1] == "| docs/a\\.md | cannot be read |"


def test_the_counts_are_the_terminals_lines_in_a_fence_no_line_can_close():
    lines = ["mdverify: 2 blocks passed", "  1 x needs ```` four"]
    text = job_summary(lines, [], None)
    assert "`````text\n" + "\n".join(lines) + "\n`````\n" in text
    assert text.rstrip().endswith("No failures.")


def test_a_cell_is_one_line_and_shows_markup_as_text():
    shown = cell("ValueError: a | b\n<img src=x onerror=alert(1)> **bold** [x](y)")
    assert "\n" not in shown
    assert "<" not in shown
    assert "|" not in shown.replace("\\|", "")
    assert "\\*\\*bold\\*\\*" in shown
    assert "\\[x\\]\\(y\\)" in shown


def test_a_workflow_command_in_a_failures_title_stays_inside_its_cell():
    title = "ValueError: ::add-mask::secret\n::error file=x.py::injected ##[error]v1"
    text = job_summary([], [Failure("docs/a.md", 3, title)], None)
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line
    assert "\\:\\:add\\-mask" in text  # shown, as text
