"""An e-mail backend for crash tests: writes each message to a file, then, when asked, kills its process.

The kill comes after the message left (the file is flushed, as an SMTP server would have accepted it) and
before the sweeper could mark the row sent: the worst moment for a crash.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from email.message import Message
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend

DIE_AFTER_SEND = "CRASH_EMAIL_DIE_AFTER_SEND"


class SendThenDie(EmailBackend):
    """The file-based backend; with CRASH_EMAIL_DIE_AFTER_SEND=1 in the environment, SIGKILL after sending."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        sent = super().send_messages(email_messages)
        if os.environ.get(DIE_AFTER_SEND) == "1":
            os.kill(os.getpid(), signal.SIGKILL)
        return int(sent)


def read_messages(folder: Path) -> list[Message]:
    """Every message the file-based backend wrote into `folder` (one or more per file, 79 dashes apart)."""
    messages = []
    for file in sorted(folder.iterdir()):
        for chunk in file.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(BytesParser().parsebytes(chunk))
    return messages
