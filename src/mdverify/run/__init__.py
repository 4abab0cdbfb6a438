"""Running an article: `Article` -> `Observation`s, each article in a sandboxed process.

The parent side (request, supervision, warm and cold starts) and the child side (the process
that runs the blocks) live here. Nothing here imports pytest. The child imports this package,
so it stays light: no module is imported here.
"""
