"""Reading a question as people type it: normalised text (normalize.py) and what kind of message it is (intent.py)."""
