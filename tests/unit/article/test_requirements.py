"""Whether a block runs on this interpreter: `mdverify.article.here`."""

from mdverify.article.requirements import skip_here
from mdverify.model import BlockSettings, Skip, SkipKind


def test_skip_reason_for_unmet_python():
    assert skip_here(BlockSettings(python=((">=", (3, 99)),))) == Skip(SkipKind.PYTHON, ">=3.99")


def test_skip_reason_for_missing_module():
    assert skip_here(BlockSettings(requires=("json", "no_such_module_xyz"))) == Skip(
        SkipKind.IMPORT, "no_such_module_xyz"
    )


def test_no_skip_reason_when_everything_is_there():
    assert skip_here(BlockSettings(requires=("json",), python=((">=", (3, 8)),))) is None
