"""Reading a question as people type it: normalised text (normalize.py), what kind of message it is (intent.py), and
the named patterns and ordered type rules that say which answer it wants (rules.py, over qa/lexicon/question_words.tsv
and type_rules.tsv)."""
