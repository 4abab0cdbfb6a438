"""Which articles a session covers: the files a branch changed, and CI shards."""
