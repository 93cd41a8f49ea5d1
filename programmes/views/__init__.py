"""Programme views, split by concern."""

from .home import home
from .notifications import notification_list, notification_read
from .programmes import programme_detail, programme_list

__all__ = ["home", "notification_list", "notification_read", "programme_detail", "programme_list"]
