"""``python -m benchmarks``: the bench behind ``make bench`` (see ``benchmarks.run``)."""

import sys

from benchmarks.run import main

sys.exit(main())
