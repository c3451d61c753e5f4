import sys

from eval.bench.main import main

sys.exit(main())
