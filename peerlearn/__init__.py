"""The composition root: settings, the aiohttp app factory, the background worker and the CLI.

Only this package knows every part; everything else is built here at start-up, never at import time.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("peerlearn")
except PackageNotFoundError:  # running from a checkout that was not installed
    __version__ = "0.0.0+unknown"
