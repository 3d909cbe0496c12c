"""``chainrule serve``: a local web app with live run dashboards and a playground that trains in front of you.

Imported only by the ``serve`` command (standard library server; the page is plain HTML, CSS and JavaScript
shipped in ``static/``). See :func:`chainrule.serve.server.serve`.
"""

from .server import make_server, serve

__all__ = ["serve", "make_server"]
