"""Background work for units and users; tasks take ids and call a service."""

from celery import shared_task

from . import services
from .models import User

# Defined beside the notices it mails; listed here for Celery's discovery.
from .notifications import send_notice_mail  # noqa: F401


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(user_id: int, domain: str, use_https: bool) -> None:
    """Mail a reset link; retried when the mail server cannot be reached."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    services.send_password_reset_email(user=user, domain=domain, use_https=use_https)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_for_address(email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to each active user with ``email`` and a usable
    password; nothing for an unknown address. The form queues this for every
    address alike, so the page takes the same time whether it is known."""
    from django.contrib.auth.forms import PasswordResetForm

    for user in PasswordResetForm().get_users(email):
        if user.email:
            services.send_password_reset_email(user=user, domain=domain, use_https=use_https)
