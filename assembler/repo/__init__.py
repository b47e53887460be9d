"""Git and nothing else: the only place that runs git (always in English, LC_ALL=C)."""
