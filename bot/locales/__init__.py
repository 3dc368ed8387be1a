"""Gettext catalogues of the interface: <language>/LC_MESSAGES/messages.po (and .mo)."""
