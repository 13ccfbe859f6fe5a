"""The fake Slack shared by the test-suite and the offline sandbox (`liaison simulate`).

`FakeSlack` holds a workspace and serves the Web API; `RequestFactory` builds signed requests as
Slack sends them; `Deliverer` hands them to the app and applies its answers.
"""

from bot.sandbox.fake_slack import (
    FakeChannel,
    FakeMessage,
    FakeSlack,
    FakeUser,
    FakeView,
    RecordedCall,
)
from bot.sandbox.requests import Deliverer, Delivery, RequestFactory, SlackRequest, sign

__all__ = [
    "Deliverer",
    "Delivery",
    "FakeChannel",
    "FakeMessage",
    "FakeSlack",
    "FakeUser",
    "FakeView",
    "RecordedCall",
    "RequestFactory",
    "SlackRequest",
    "sign",
]
