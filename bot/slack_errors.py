"""What a Slack Web API call may raise besides an answer Slack gave: the one tuple every caller
catches, so none leaves one out."""

from __future__ import annotations

from http.client import HTTPException

from slack_sdk.errors import SlackClientError

# SlackClientError (SlackApiError among them: Slack answered ok: false), OSError (Slack out of
# reach: refused, reset, timed out) and HTTPException (an answer cut short, IncompleteRead, which
# is no OSError).
SLACK_CALL_ERRORS = (SlackClientError, OSError, HTTPException)
# One of them, as a function taking the error caught names its type.
SlackCallError = SlackClientError | OSError | HTTPException
