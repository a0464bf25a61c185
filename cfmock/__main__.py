"""``python -m cfmock``: the same as the ``cfmock`` console script."""

from cfmock._cli import main

raise SystemExit(main())
