"""Pressearchiv: the application glue — settings and the command line.

The layers live in their own packages: ``archive`` (parsing and the store, the
source of truth), ``index`` (German full-text search derived from the store) and
``web`` (the HTTP service).
"""
