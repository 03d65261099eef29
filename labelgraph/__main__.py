import sys

from labelgraph.cli import main

sys.exit(main())
