"""Reading Markdown: bytes -> `Article`, with its examples, directives and claims.

Nothing here runs an example or imports pytest; `mdverify.article.parse` is the entry point.
"""
