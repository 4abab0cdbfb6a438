"""What an example can reach: only named environment variables, only its own directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdverify.run.environment import child_env

SHOW_SECRET = """
    # Env

    ```python
    import os
    print(os.environ.get("MDVERIFY_TEST_TOKEN"))  # {expected}
    ```
    """


def test_child_env_keeps_the_allow_list_and_drops_everything_else():
    environ = {
        "PATH": "/bin",
        "HOME": "/home/a",
        "LC_ALL": "C.UTF-8",
        "VIRTUAL_ENV": "/venv",
        "PYTHONPATH": "/src",
        "AWS_SECRET_ACCESS_KEY": "s3cr3t",
        "GITHUB_TOKEN": "ghp_x",
    }
    assert child_env(environ) == {
        "PATH": "/bin",
        "HOME": "/home/a",
        "LC_ALL": "C.UTF-8",
        "VIRTUAL_ENV": "/venv",
        "PYTHONPATH": "/src",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONHASHSEED": "0",
    }


def test_the_hash_seed_is_fixed_unless_the_user_chose_one():
    assert child_env({})["PYTHONHASHSEED"] == "0"
    assert child_env({"PYTHONHASHSEED": "1234"})["PYTHONHASHSEED"] == "1234"


def test_child_env_passes_named_variables_and_patterns():
    environ = {"DATABASE_URL": "pg://", "AWS_REGION": "eu", "AWS_KEY": "k", "OTHER": "o"}
    env = child_env(environ, ["DATABASE_URL", "AWS_*"])
    assert {name: env[name] for name in environ if name in env} == {
        "DATABASE_URL": "pg://",
        "AWS_REGION": "eu",
        "AWS_KEY": "k",
    }


def test_secret_in_pytests_environment_does_not_reach_the_example(pytester, article, monkeypatch):
    monkeypatch.setenv("MDVERIFY_TEST_TOKEN", "hunter2")
    article("env.md", SHOW_SECRET.format(expected="None"))
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("how", ["option", "ini", "pattern"])
def test_variable_named_on_the_command_line_or_ini_reaches_the_example(
    pytester, article, monkeypatch, how
):
    monkeypatch.setenv("MDVERIFY_TEST_TOKEN", "hunter2")
    article("env.md", SHOW_SECRET.format(expected="hunter2"))
    args = []
    if how == "option":
        args = ["--mdverify-pass-env=MDVERIFY_TEST_TOKEN"]
    elif how == "ini":
        pytester.makeini("[pytest]\nmdverify_env = SOMETHING_ELSE MDVERIFY_TEST_TOKEN\n")
    else:
        args = ["--mdverify-pass-env", "MDVERIFY_TEST_*"]
    pytester.runpytest(*args).assert_outcomes(passed=1)


def test_files_an_example_writes_stay_in_its_temporary_directory(pytester, article):
    marker = pytester.path.parent / f"{pytester.path.name}-cwd"
    article(
        "writes.md",
        f"""
        # Writes

        ```python
        import os
        with open("made-by-example.txt", "w") as f:
            f.write("x")
        os.makedirs("sub/dir")
        with open({str(marker)!r}, "w") as f:
            f.write(os.getcwd())
        print(sorted(os.listdir(".")))  # ['made-by-example.txt', 'sub']
        ```
        """,
    )
    # Without the sandbox, whose read-only tree the marker could not be written to; its
    # own tests (test_sandbox.py) check that an example cannot write the tree at all.
    pytester.runpytest("--mdverify-sandbox=off").assert_outcomes(passed=1)
    workdir = marker.read_text()
    assert not workdir.startswith(str(pytester.path))
    assert not (pytester.path / "made-by-example.txt").exists()
    assert not (pytester.path / "sub").exists()
    assert not Path(workdir).exists()
