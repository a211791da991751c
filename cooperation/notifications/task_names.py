"""The names the notification tasks are registered under.

Services hand work to the queue by task name (through the outbox) and tasks call
services, so imports point one way: tasks → services → these names.
"""

SEND_REMINDERS = "cooperation.notifications.tasks.send_reminders"
EMAIL_NOTIFICATION = "cooperation.notifications.tasks.email_notification"
