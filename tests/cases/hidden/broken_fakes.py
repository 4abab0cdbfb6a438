"""A setup file that fails: the article's report points at this file's line."""

ratio = 1 / 0
