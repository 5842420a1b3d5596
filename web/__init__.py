"""The web service: JSON API, HTML pages and exports over the archive and the index.

Only this package knows HTTP. Build the app with :func:`web.app.create_app`,
run it with :func:`web.server.serve`.
"""
