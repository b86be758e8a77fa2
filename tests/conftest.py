"""Shared fixtures of the library tests, and the Hypothesis settings.

Hypothesis runs derandomized (the same examples on every run, so CI is
deterministic) with a moderate number of examples; set
``HYPOTHESIS_PROFILE=thorough`` to search harder locally.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng():
    """A seeded generator: every test that draws random numbers draws the same ones."""
    return np.random.default_rng(20240603)
