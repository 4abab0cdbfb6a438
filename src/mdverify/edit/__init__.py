"""Update mode: `Verdict`s -> edits -> an article's new bytes, written atomically."""
