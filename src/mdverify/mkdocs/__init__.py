"""The MkDocs shell: mdverify's checks during `mkdocs build` and `mkdocs serve`.

A second shell beside the pytest one (`mdverify.plugin`), over the same pure core:
`verify` runs and judges a site's articles as pytest's items do, `badges` shows each
block's state in its page, `servers` holds the build's services, and `plugin` is the
MkDocs plugin itself (entry point `mkdocs.plugins`: `mdverify`), the only module of
mdverify that imports MkDocs.
"""
