"""Running an article: `Article` -> `Observation`s, each article in a sandboxed process.

The data flow, one way:

    options + article --request.prepare--> Prepared --cold | warm->worker--> child
    child --events--> watch (deadlines, budget, servecheck) --> Outcome
    Outcome + capture files --observe--> Observations

`runner.Runner` decides warm or cold and runs articles ahead of need; `environment` and
`options` feed `prepare`; `frames` carries jobs and outcomes between parent and worker;
`limits`, `netmap` and `awaits` are set up inside the child (`child`). Nothing here imports
pytest, nor `mdverify.services` (which calls in, not out). The child imports this package,
so it stays light: no module is imported here.
"""
