import sys

from eval.retrieval.cli import main

sys.exit(main())
