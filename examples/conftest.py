"""Shared setup of the example apps' tests."""

import os

# litellm downloads its model price list from GitHub when imported, unless told to use the
# copy it ships: tests run with no network.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
