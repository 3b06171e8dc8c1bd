"""``python -m eventcoder.spark INPUT OUTPUT [options]``."""

import sys

from eventcoder.spark.cli import main

sys.exit(main())
