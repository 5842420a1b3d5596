"""The web service: JSON API, HTML pages and exports over the archive and the index.

Only this package knows HTTP. Build the app with :func:`pressearchiv.web.app.create_app`,
run it with :func:`pressearchiv.web.server.serve`.
"""
