"""nq57: trợ lý hỏi đáp về Nghị quyết 57-NQ/TW và các văn bản liên quan."""

from nq57.settings import Settings, get_settings

__all__ = ["Settings", "get_settings"]
__version__ = "0.1.0"
