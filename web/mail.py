"""Mail: render an email and deliver it after the response, over SMTP or to the log."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiosmtplib
from quart import current_app
from quart import render_template

logger = logging.getLogger("hyperquiz.mail")
SMTP_TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


async def deliver(config: Mapping[str, Any], email: Email) -> bool:
    """Send one email; a failure is logged, never raised: the user can ask for another."""
    if not config["MAIL_SERVER"]:
        logger.info(
            "Email not sent (MAIL_SERVER is unset). To: %s\nSubject: %s\n\n%s",
            email.to,
            email.subject,
            email.body,
        )
        return True
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message.set_content(email.body)
    try:
        await aiosmtplib.send(
            message,
            hostname=config["MAIL_SERVER"],
            port=config["MAIL_PORT"],
            start_tls=config["MAIL_USE_TLS"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=SMTP_TIMEOUT_SECONDS,
        )
    except (aiosmtplib.SMTPException, OSError) as error:
        logger.error("Could not send %r to %s: %s", email.subject, email.to, error)
        return False
    return True


async def send_email(to: str, subject: str, template: str, **context: Any) -> None:
    """Queue an email to go out after the response, so a slow SMTP server never delays it."""
    body = await render_template(f"emails/{template}.txt", **context)
    current_app.add_background_task(deliver, dict(current_app.config), Email(to, subject, body))
