"""Pictures: the network diagram, the computation graph of a loss, training curves.

``draw_network`` and ``draw_graph`` write SVG by hand (no graphviz needed); ``plot_history``
uses matplotlib (a requirement of chainrule), imported only when called.
"""

from __future__ import annotations

from .curves import plot_history
from .graph import draw_graph
from .network import draw_network

__all__ = ["draw_network", "draw_graph", "plot_history"]
