"""Tests of chainrule.linalg beyond the op-case table: errors, edge cases, API shape."""
