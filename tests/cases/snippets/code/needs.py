"""Needs a module no one has."""

import weather_sdk_for_snippets
