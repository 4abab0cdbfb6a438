"""Judging and reporting: Observation vs claims -> Verdict -> the text a writer reads."""
