"""A module beside the articles of this topic: importing it raises, looking it up does not."""

raise RuntimeError("weather_sdk was imported")
