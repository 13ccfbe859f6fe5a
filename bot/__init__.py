"""Liaison: a Slack bot that keeps an organisation's partnerships coordinated."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("liaison")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
