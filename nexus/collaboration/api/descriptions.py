"""What the counts on channels and messages mean, said once for both doors
(REST help text, GraphQL descriptions)."""

from __future__ import annotations

from typing import Final

from nexus.collaboration.selectors.channels import UNREAD_COUNT_MAX

MESSAGE_COUNT: Final = "Messages and replies in the channel, deleted ones not counted."
REPLY_COUNT: Final = "Replies to the message, deleted ones not counted."
UNREAD_COUNT: Final = (
    f"Messages by others after your read marker, counted up to {UNREAD_COUNT_MAX} "
    "(that many means at least that many); 0 unless you are a member."
)
