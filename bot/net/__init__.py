"""Networking for the bot: a fast Bot API transport and ordered concurrent update processing."""

from bot.net.aiohttp_request import AiohttpRequest
from bot.net.update_processor import ChatOrderedUpdateProcessor, ordering_key

__all__ = ["AiohttpRequest", "ChatOrderedUpdateProcessor", "ordering_key"]
