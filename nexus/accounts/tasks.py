from celery import shared_task

from nexus.accounts import services


@shared_task(name="nexus.accounts.tasks.flush_expired_tokens_task")
def flush_expired_tokens_task() -> int:
    return services.tokens_flush_expired()
