"""``python -m robust_mlr`` runs the command line."""
import sys

from .cli import main

sys.exit(main())
