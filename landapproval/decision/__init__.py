"""One decision per case: its model and words, the facts computed once in Python, the map's facts, the figures behind each finding, and assembly."""
