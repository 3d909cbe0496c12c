"""Tests of chainrule.distributions against torch.distributions."""
