"""The delivery engine: everything Liaison sends on its own goes through the durable outbox.

`enqueue` (in the caller's transaction) → the `Dispatcher` (claims, sends, retries) driven by
`bot.scheduler`; `working_hours` and `absence` decide when and to whom a person is messaged.
"""

from bot.delivery.absence import is_away, recipient_for_owner_alert
from bot.delivery.outbox import enqueue

__all__ = ["enqueue", "is_away", "recipient_for_owner_alert"]
