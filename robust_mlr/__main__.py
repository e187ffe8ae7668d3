"""``python -m robust_mlr`` runs the command line, like the ``robust-mlr`` script.

``python -m`` puts the current folder first on ``sys.path``; the console
script does not. Dropping it (unless it is the source checkout this package
was imported from) keeps a user's own folder named ``experiments`` (or any
other package name) from shadowing the installed studies.
"""
import os
import sys

_checkout = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if sys.path and sys.path[0] in ("", os.getcwd()) and \
        os.path.realpath(os.getcwd()) != os.path.realpath(_checkout):
    del sys.path[0]

from .cli import main  # noqa: E402

sys.exit(main())
